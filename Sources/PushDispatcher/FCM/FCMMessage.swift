/// The FCM HTTP v1 `{"message":{...}}` body for one device, with only string data values.
enum FCMMessage {
    /// FCM refuses a message over 4096 bytes; the whole body apart from the token is kept
    /// within it (stricter than Google, which counts only what reaches the phone).
    static let limit = 4096

    /// Keys in sorted order, so equal pushes are equal bytes.
    static func encode(_ message: PushMessage, validateOnly: Bool = false) -> [UInt8] {
        PayloadFit.fit(title: message.title, body: message.body, limit: limit, allowance: message.token.utf8.count) { title, body in
            render(message, title: title, body: body, validateOnly: validateOnly)
        }
    }

    private static func render(_ message: PushMessage, title: String, body: String, validateOnly: Bool) -> [UInt8] {
        var json = JSONBytes(capacity: 640 + title.utf8.count + body.utf8.count)
        json.beginObject()
        json.object("message") { inner in
            inner.object("android") { android in
                android.object(
                    "notification",
                    strings: [("channel_id", "zmninja"), ("icon", "ic_stat_notification")]
                        + (message.pictureURL.map { [("image", $0)] } ?? [])
                        + [("sound", "default"), ("tag", message.collapseID)])
                android.member("priority", "high")
                android.member("ttl", "\(max(0, Int(message.expiresAt.timeIntervalSinceNow)))s")
            }
            inner.object("apns") { apns in
                if let picture = message.pictureURL { apns.object("fcm_options", strings: [("image", picture)]) }
                apns.object("headers", strings: APNsAlert.headers(collapseID: message.collapseID))
                apns.object("payload") { payload in
                    payload.object("aps") { aps in
                        aps.member("badge", message.badge)
                        if message.pictureURL != nil { aps.member("mutable-content", 1) }
                        aps.member("sound", "default")
                        aps.member("thread-id", APNsAlert.threadID)
                    }
                }
            }
            inner.object("data", strings: message.customData)
            inner.object("notification", strings: [("body", body)] + (message.pictureURL.map { [("image", $0)] } ?? []) + [("title", title)])
            inner.member("token", message.token)
        }
        if validateOnly {
            json.key("validate_only")
            json.bool(true)
        }
        json.endObject()
        return json.bytes
    }
}
