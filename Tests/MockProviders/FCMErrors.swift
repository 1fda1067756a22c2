/// Google's error bodies, in the exact shape the FCM v1 API and the OAuth token endpoint use.
enum FCMErrors {
    /// The canonical `status` and a typical message for an FCM `errorCode`.
    static func describe(code: String, httpStatus: Int) -> (status: String, message: String) {
        switch code {
        case "UNREGISTERED": return ("NOT_FOUND", "Requested entity was not found.")
        case "QUOTA_EXCEEDED": return ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'.")
        case "UNAVAILABLE": return ("UNAVAILABLE", "The service is currently unavailable.")
        case "INTERNAL": return ("INTERNAL", "Internal error encountered.")
        case "INVALID_ARGUMENT": return ("INVALID_ARGUMENT", "Request contains an invalid argument.")
        case "SENDER_ID_MISMATCH": return ("PERMISSION_DENIED", "SenderId mismatch")
        case "THIRD_PARTY_AUTH_ERROR": return ("UNAUTHENTICATED", "Auth error from APNS or Web Push Service")
        default: return (status(for: httpStatus), "Mock FCM error \(code).")
        }
    }

    /// The google.rpc canonical status for an HTTP status.
    static func status(for httpStatus: Int) -> String {
        switch httpStatus {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 429: "RESOURCE_EXHAUSTED"
        case 501: "UNIMPLEMENTED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        default: httpStatus >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"
        }
    }

    /// `{"error":{"code":N,"message":..,"status":..,"details":[{"@type":...FcmError,"errorCode":..}]}}`;
    /// `details` omitted when `errorCode` is nil (Google's plain auth/routing errors have none).
    static func body(httpStatus: Int, status: String, message: String, errorCode: String?) -> String {
        var error: [String: JSONValue] = [
            "code": .number(Double(httpStatus)),
            "message": .string(message),
            "status": .string(status),
        ]
        if let errorCode {
            error["details"] = .array([.object([
                "@type": .string("type.googleapis.com/google.firebase.fcm.v1.FcmError"),
                "errorCode": .string(errorCode),
            ])])
        }
        return JSONValue.object(["error": .object(error)]).serialized
    }

    static func fcmError(httpStatus: Int, code: String, message: String? = nil, headers: [(String, String)] = []) -> MockReply {
        let described = describe(code: code, httpStatus: httpStatus)
        return .json(status: httpStatus, headers: headers, body(
            httpStatus: httpStatus, status: described.status, message: message ?? described.message, errorCode: code))
    }

    static func invalidArgument(_ message: String) -> MockReply {
        fcmError(httpStatus: 400, code: "INVALID_ARGUMENT", message: message)
    }

    static let unauthenticated: MockReply = .json(status: 401, headers: [("www-authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")], body(
        httpStatus: 401, status: "UNAUTHENTICATED",
        message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        errorCode: nil))

    /// The OAuth endpoint's `{"error":..,"error_description":..}`.
    static func oauth(_ error: String, _ description: String, status: Int = 400) -> MockReply {
        .json(status: status, JSONValue.object(["error": .string(error), "error_description": .string(description)]).serialized)
    }
}
