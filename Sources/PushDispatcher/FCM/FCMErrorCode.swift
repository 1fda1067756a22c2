/// An FCM HTTP v1 error reply's code: the `errorCode` of its `FcmError` detail, or else its
/// `status` (a `google.rpc.Code` name; the two share `INVALID_ARGUMENT`, `UNAVAILABLE`, `INTERNAL`).
enum FCMErrorCode: ProviderReason {
    /// The token is no longer registered (the app was removed): the token is removed.
    case unregistered
    /// A bad message, or a bad token when a field violation names `message.token`.
    case invalidArgument
    /// Sending too fast: wait at least a minute.
    case quotaExceeded
    case unavailable
    case `internal`
    /// APNs (behind Firebase) refused the project's Apple key: never the token's fault.
    case thirdPartyAuthError
    /// The token belongs to another Firebase project.
    case senderIDMismatch
    /// The access token was refused (a `status`, with HTTP 401).
    case unauthenticated
    /// Any other code, as Google wrote it.
    case other(String)

    static let named: [FCMErrorCode] = [
        .unregistered, .invalidArgument, .quotaExceeded, .unavailable, .internal, .thirdPartyAuthError, .senderIDMismatch, .unauthenticated,
    ]

    var rawValue: String {
        switch self {
        case .unregistered: return "UNREGISTERED"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .quotaExceeded: return "QUOTA_EXCEEDED"
        case .unavailable: return "UNAVAILABLE"
        case .internal: return "INTERNAL"
        case .thirdPartyAuthError: return "THIRD_PARTY_AUTH_ERROR"
        case .senderIDMismatch: return "SENDER_ID_MISMATCH"
        case .unauthenticated: return "UNAUTHENTICATED"
        case .other(let text): return text
        }
    }
}
