/// The APNs JSON body, with the alert body cut so the whole payload fits in 4096 bytes.
enum APNsPayload {
    static let limit = 4096

    static func encode(_ message: PushMessage) -> [UInt8] {
        let whole = render(message, body: message.body)
        if whole.count <= limit { return whole }
        // Cut the body by the overshoot plus room for "…" and escapes, on a character boundary,
        // shrinking further in the rare case escaping still overshoots.
        var keep = max(0, message.body.utf8.count - (whole.count - limit) - 3)
        while true {
            var cut = String(decoding: message.body.utf8.prefix(keep), as: UTF8.self)
            while cut.last == "\u{FFFD}" { cut.removeLast() }
            let body = cut.isEmpty ? "" : cut + "…"
            let bytes = render(message, body: body)
            if bytes.count <= limit || keep == 0 { return bytes }
            keep = max(0, keep - (bytes.count - limit))
        }
    }

    /// Keys in sorted order, so equal pushes are equal bytes.
    private static func render(_ message: PushMessage, body: String) -> [UInt8] {
        var json = JSONBytes(capacity: 256 + message.title.utf8.count + body.utf8.count)
        json.beginObject()
        json.object("aps") { aps in
            aps.object("alert", strings: [("body", body), ("title", message.title)])
            aps.member("badge", message.badge)
            aps.member("sound", "default")
            aps.member("thread-id", APNsAlert.threadID)
        }
        for (key, value) in message.customData { json.member(key, value) }
        json.endObject()
        return json.bytes
    }
}
