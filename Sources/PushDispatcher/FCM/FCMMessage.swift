/// The FCM HTTP v1 `{"message":{...}}` body for one device, with only string data values.
enum FCMMessage {
    /// Keys in sorted order, so equal pushes are equal bytes.
    static func encode(_ message: PushMessage, validateOnly: Bool = false) -> [UInt8] {
        var json = JSONBytes(capacity: 640 + message.title.utf8.count + message.body.utf8.count)
        json.beginObject()
        json.key("message")
        json.beginObject()

        json.key("android")
        json.beginObject()
        json.key("notification")
        json.beginObject()
        json.member("channel_id", "zmninja")
        json.member("icon", "ic_stat_notification")
        json.member("sound", "default")
        json.member("tag", "zmes-\(message.alarm.monitorId)")
        json.endObject()
        json.member("priority", "high")
        json.member("ttl", "\(max(0, Int(message.expiresAt.timeIntervalSinceNow)))s")
        json.endObject()

        json.key("apns")
        json.beginObject()
        json.key("headers")
        json.beginObject()
        json.member("apns-priority", "10")
        json.member("apns-push-type", "alert")
        json.endObject()
        json.key("payload")
        json.beginObject()
        json.key("aps")
        json.beginObject()
        json.member("badge", message.badge)
        json.member("sound", "default")
        json.member("thread-id", "zmninja_alarm")
        json.endObject()
        json.endObject()
        json.endObject()

        json.key("data")
        json.beginObject()
        for (key, value) in message.customData { json.member(key, value) }
        json.endObject()

        json.key("notification")
        json.beginObject()
        json.member("body", message.body)
        json.member("title", message.title)
        json.endObject()

        json.member("token", message.token)
        json.endObject()
        if validateOnly {
            json.key("validate_only")
            json.bool(true)
        }
        json.endObject()
        return json.bytes
    }
}
