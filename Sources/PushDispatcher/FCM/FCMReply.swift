import CurlClient
import Foundation

/// Google's answer to one send, decided by `errorCode` and `status`, never by message text.
struct FCMReply {
    /// The JSON body of an error reply: `{"error": {"status": ..., "details": [...]}}`.
    private struct Body: Decodable {
        struct Error: Decodable {
            var status: FCMErrorCode?
            var details: [Detail]?
        }
        /// An `FcmError` (with `errorCode`) or a `BadRequest` (with `fieldViolations`).
        struct Detail: Decodable {
            var errorCode: FCMErrorCode?
            var fieldViolations: [FieldViolation]?
        }
        struct FieldViolation: Decodable {
            var field: String?
        }
        var error: Error?
    }

    let status: Int
    /// `nil` when the body names none (a 200, or a reply from something in between).
    let code: FCMErrorCode?
    /// A field violation names `message.token`: the token itself is malformed.
    let namesToken: Bool
    let retryAfter: Duration?

    init(_ response: CurlResponse) {
        let error = response.status == 200 ? nil : (try? JSONDecoder().decode(Body.self, from: Data(response.body)))?.error
        let details = error?.details ?? []
        status = response.status
        code = details.lazy.compactMap(\.errorCode).first ?? error?.status
        namesToken = details.contains { detail in (detail.fieldViolations ?? []).contains { $0.field == "message.token" } }
        retryAfter = response.headers["retry-after"].flatMap(Int.init).map { Duration.seconds($0) }
    }

    var outcome: PushOutcome {
        if status == 200 { return .delivered }
        let text = code?.rawValue ?? "HTTP \(status)"
        switch code {
        case .unregistered:
            return .tokenGone(reason: text, at: nil)
        case .invalidArgument where namesToken:
            return .tokenGone(reason: "\(text) (token)", at: nil)
        case .quotaExceeded:
            return .retry(reason: text, after: max(retryAfter ?? .seconds(60), .seconds(60)))
        case .unavailable, .internal:
            return .retry(reason: text, after: retryAfter)
        case .thirdPartyAuthError:
            return .failed(reason: text)  // an APNs problem inside Firebase: never the token's fault
        case .senderIDMismatch:
            return .failed(reason: text)
        default:
            if status == 401 { return .credentialRejected(reason: text) }
            if status == 429 || status >= 500 { return .retry(reason: text, after: retryAfter) }
            if status == 403 { return .credentialRejected(reason: text) }
            return .failed(reason: text)
        }
    }
}
