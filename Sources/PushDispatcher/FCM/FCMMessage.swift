import Foundation

/// The FCM HTTP v1 `{"message":{...}}` body for one device, with only string data values.
enum FCMMessage {
    static func encode(_ message: PushMessage, validateOnly: Bool = false) -> [UInt8] {
        var android: [String: Any] = [
            "priority": "high",
            "notification": [
                "channel_id": "zmninja",
                "icon": "ic_stat_notification",
                "sound": "default",
                "tag": "zmes-\(message.alarm.monitorId)",
            ],
        ]
        android["ttl"] = "\(max(0, Int(message.expiresAt.timeIntervalSinceNow)))s"
        var body: [String: Any] = [
            "message": [
                "token": message.token,
                "notification": ["title": message.title, "body": message.body],
                "data": message.customData,
                "android": android,
                "apns": [
                    "headers": ["apns-priority": "10", "apns-push-type": "alert"],
                    "payload": ["aps": ["badge": message.badge, "sound": "default", "thread-id": "zmninja_alarm"]],
                ],
            ]
        ]
        if validateOnly { body["validate_only"] = true }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return [UInt8](data)
    }
}
