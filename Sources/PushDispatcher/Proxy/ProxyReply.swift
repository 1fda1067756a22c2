import CurlClient
import Foundation

/// The cloud function's answer: `{"Success": ...}` or `{"Error": "<text>"}`. It gives no
/// structured error code; docs/OPERATIONS.md ("token removed") names the texts that mean the
/// token is gone.
struct ProxyReply {
    private struct Body: Decodable {
        /// A `Success` member, whatever its value.
        var succeeded: Bool
        var error: String?

        enum CodingKeys: String, CodingKey {
            case success = "Success"
            case error = "Error"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            succeeded = container.contains(.success)
            error = try? container.decodeIfPresent(String.self, forKey: .error)
        }
    }

    let status: Int
    let succeeded: Bool
    /// The `Error` text, or `HTTP <status>` without one.
    let text: String
    private let rawBody: [UInt8]
    let retryAfter: Duration?

    init(_ response: CurlResponse) {
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        status = response.status
        succeeded = decoded?.succeeded ?? false
        text = decoded?.error ?? "HTTP \(response.status)"
        rawBody = response.body
        retryAfter = response.headers["retry-after"].flatMap(Int.init).map { .seconds($0) }
    }

    var outcome: PushOutcome {
        if status == 200, succeeded { return .delivered }
        let lowered = text.lowercased()
        if lowered.contains("not a valid fcm registration token") || lowered.contains("entity was not found") {
            return .tokenGone(reason: text, at: nil)
        }
        switch status {
        case 200: return .failed(reason: "unexpected reply: \(String(decoding: rawBody, as: UTF8.self).prefix(200))")
        case 401, 403: return .credentialRejected(reason: text)
        case 429, 500...599: return .retry(reason: text, after: retryAfter)
        default: return .failed(reason: text)
        }
    }
}
