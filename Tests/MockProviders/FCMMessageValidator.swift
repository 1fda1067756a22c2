/// The checks FCM HTTP v1 applies to a `messages:send` body. Google parses the
/// body strictly against its proto, so unknown fields are refused too — which
/// catches a client's typo'd key that a lenient mock would let through.
enum FCMMessageValidator {
    static let topLevelKeys: Set<String> = ["message", "validate_only"]
    static let messageKeys: Set<String> = [
        "name", "data", "notification", "android", "webpush", "apns", "fcm_options", "token", "topic", "condition",
    ]
    static let notificationKeys: Set<String> = ["title", "body", "image"]
    static let androidKeys: Set<String> = [
        "collapse_key", "priority", "ttl", "restricted_package_name", "data", "notification", "fcm_options",
        "direct_boot_ok", "bandwidth_constrained_ok", "restricted_satellite_ok",
    ]
    static let apnsKeys: Set<String> = ["headers", "payload", "fcm_options", "live_activity_token"]

    /// The parsed message and the `validate_only` flag, or the INVALID_ARGUMENT message to answer with.
    static func validate(_ body: JSONValue?) -> Result<(message: JSONValue, validateOnly: Bool), Failure> {
        guard let top = body?.objectValue else { return .failure("Invalid JSON payload received.") }
        if let unknown = top.keys.first(where: { !topLevelKeys.contains($0) }) {
            return .failure("Invalid JSON payload received. Unknown name \"\(unknown)\": Cannot find field.")
        }
        var validateOnly = false
        if let flag = top["validate_only"] {
            guard let value = flag.boolValue else { return .failure("Invalid value at 'validate_only' (TYPE_BOOL)") }
            validateOnly = value
        }
        guard let messageValue = top["message"], let message = messageValue.objectValue else {
            return .failure("Request contains an invalid argument: message is required.")
        }
        if let unknown = message.keys.first(where: { !messageKeys.contains($0) }) {
            return .failure("Invalid JSON payload received. Unknown name \"\(unknown)\" at 'message': Cannot find field.")
        }
        let targets = ["token", "topic", "condition"].filter { message[$0] != nil }
        guard targets.count == 1 else {
            return .failure("Request contains an invalid argument: exactly one of token, topic or condition must be set.")
        }
        guard let target = message[targets[0]]?.stringValue, !target.isEmpty else {
            return .failure("Invalid value at 'message.\(targets[0])' (TYPE_STRING)")
        }
        if let failure = checkStringMap(message["data"], at: "message.data") { return .failure(Failure(failure)) }
        if let notification = message["notification"] {
            if let failure = checkStringFields(notification, allowed: notificationKeys, at: "message.notification") {
                return .failure(Failure(failure))
            }
        }
        if let android = message["android"] {
            guard let object = android.objectValue else { return .failure("Invalid value at 'message.android'") }
            if let unknown = object.keys.first(where: { !androidKeys.contains($0) }) {
                return .failure("Invalid JSON payload received. Unknown name \"\(unknown)\" at 'message.android': Cannot find field.")
            }
            if let priority = object["priority"] {
                guard let text = priority.stringValue, ["high", "normal"].contains(text.lowercased()) else {
                    return .failure("Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority)")
                }
            }
            if let ttl = object["ttl"], !(ttl.stringValue.map(isDuration) ?? false) {
                return .failure("Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration)")
            }
            if let notification = object["notification"], notification.objectValue == nil {
                return .failure("Invalid value at 'message.android.notification'")
            }
            if let failure = checkStringMap(object["data"], at: "message.android.data") { return .failure(Failure(failure)) }
        }
        if let apns = message["apns"] {
            guard let object = apns.objectValue else { return .failure("Invalid value at 'message.apns'") }
            if let unknown = object.keys.first(where: { !apnsKeys.contains($0) }) {
                return .failure("Invalid JSON payload received. Unknown name \"\(unknown)\" at 'message.apns': Cannot find field.")
            }
            if let failure = checkStringMap(object["headers"], at: "message.apns.headers") { return .failure(Failure(failure)) }
            if let payload = object["payload"] {
                guard payload.objectValue != nil else { return .failure("Invalid value at 'message.apns.payload'") }
                if let aps = payload["aps"], aps.objectValue == nil {
                    return .failure("Invalid value at 'message.apns.payload.aps' (aps must be a dictionary)")
                }
            }
        }
        if let webpush = message["webpush"], webpush.objectValue == nil {
            return .failure("Invalid value at 'message.webpush'")
        }
        return .success((messageValue, validateOnly))
    }

    struct Failure: Error, ExpressibleByStringInterpolation, Sendable {
        var message: String
        init(stringLiteral value: String) { message = value }
        init(_ message: String) { self.message = message }
    }

    private static func checkStringMap(_ value: JSONValue?, at path: String) -> String? {
        guard let value else { return nil }
        guard let object = value.objectValue else { return "Invalid value at '\(path)' (Map)" }
        if let (key, _) = object.first(where: { $0.value.stringValue == nil }) {
            return "Invalid value at '\(path)[\(key)].value' (TYPE_STRING)"
        }
        return nil
    }

    private static func checkStringFields(_ value: JSONValue, allowed: Set<String>, at path: String) -> String? {
        guard let object = value.objectValue else { return "Invalid value at '\(path)'" }
        for (key, field) in object {
            guard allowed.contains(key) else { return "Invalid JSON payload received. Unknown name \"\(key)\" at '\(path)': Cannot find field." }
            if field.stringValue == nil { return "Invalid value at '\(path).\(key)' (TYPE_STRING)" }
        }
        return nil
    }

    /// protobuf Duration in JSON: "3.5s".
    private static func isDuration(_ text: String) -> Bool {
        guard text.hasSuffix("s") else { return false }
        let number = text.dropLast()
        return !number.isEmpty && Double(number) != nil && number.allSatisfy { $0.isNumber || $0 == "." }
    }
}
