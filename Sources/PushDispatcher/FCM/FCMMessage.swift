/// The FCM HTTP v1 `{"message":{...}}` body for one device, with only string data values.
enum FCMMessage {
    /// Keys in sorted order, so equal pushes are equal bytes.
    static func encode(_ message: PushMessage, validateOnly: Bool = false) -> [UInt8] {
        var json = JSONBytes(capacity: 640 + message.title.utf8.count + message.body.utf8.count)
        json.beginObject()
        json.object("message") { inner in
            inner.object("android") { android in
                android.object(
                    "notification",
                    strings: [
                        ("channel_id", "zmninja"), ("icon", "ic_stat_notification"), ("sound", "default"),
                        ("tag", message.collapseID),
                    ])
                android.member("priority", "high")
                android.member("ttl", "\(max(0, Int(message.expiresAt.timeIntervalSinceNow)))s")
            }
            inner.object("apns") { apns in
                apns.object("headers", strings: APNsAlert.headers(collapseID: message.collapseID))
                apns.object("payload") { payload in
                    payload.object("aps") { aps in
                        aps.member("badge", message.badge)
                        aps.member("sound", "default")
                        aps.member("thread-id", APNsAlert.threadID)
                    }
                }
            }
            inner.object("data", strings: message.customData)
            inner.object("notification", strings: [("body", message.body), ("title", message.title)])
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
