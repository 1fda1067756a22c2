/// The APNs JSON body, with the alert cut (body first, then title) so the whole payload fits in 4096 bytes.
enum APNsPayload {
    static let limit = 4096

    static func encode(_ message: PushMessage) -> [UInt8] {
        PayloadFit.fit(title: message.title, body: message.body, limit: limit) { title, body in
            render(message, title: title, body: body)
        }
    }

    /// Keys in sorted order, so equal pushes are equal bytes.
    private static func render(_ message: PushMessage, title: String, body: String) -> [UInt8] {
        var json = JSONBytes(capacity: 256 + title.utf8.count + body.utf8.count)
        json.beginObject()
        json.object("aps") { aps in
            aps.object("alert", strings: [("body", body), ("title", title)])
            aps.member("badge", message.badge)
            // A `rules:` entry with `action: critical` (iOS shows it through Focus and silent mode
            // only when the app holds Apple's critical-alerts entitlement; otherwise as time-sensitive).
            if message.alarm.critical { aps.member("interruption-level", "critical") }
            // Wakes zmNinja's notification service extension, which downloads `image_url_jpg`.
            if message.pictureURL != nil { aps.member("mutable-content", 1) }
            aps.member("sound", "default")
            aps.member("thread-id", APNsAlert.threadID)
        }
        for (key, value) in message.customData { json.member(key, value) }
        if let picture = message.pictureURL { json.member("image_url_jpg", picture) }
        json.endObject()
        return json.bytes
    }
}
