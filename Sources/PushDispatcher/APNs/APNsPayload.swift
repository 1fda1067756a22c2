import Foundation

/// The APNs JSON body, with the alert body cut so the whole payload fits in 4096 bytes.
enum APNsPayload {
    static let limit = 4096

    static func encode(_ message: PushMessage) -> [UInt8] {
        var body = message.body
        while true {
            let bytes = render(message, body: body)
            if bytes.count <= limit || body.isEmpty { return bytes }
            // Cut by the overshoot (at least one character), on a character boundary.
            let overshoot = bytes.count - limit
            let keep = max(0, body.utf8.count - overshoot - 3)
            var cut = String(decoding: body.utf8.prefix(keep), as: UTF8.self)
            while cut.last == "\u{FFFD}" { cut.removeLast() }
            body = cut.isEmpty ? "" : cut + "…"
            if keep == 0 { body = "" }
        }
    }

    private static func render(_ message: PushMessage, body: String) -> [UInt8] {
        var aps: [String: Any] = [
            "alert": ["title": message.title, "body": body],
            "badge": message.badge,
            "sound": "default",
            "thread-id": "zmninja_alarm",
        ]
        aps["mutable-content"] = nil
        var payload: [String: Any] = ["aps": aps]
        for (key, value) in message.customData { payload[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return [UInt8](data)
    }
}
