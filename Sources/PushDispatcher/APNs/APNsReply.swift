import CurlClient
import Foundation

/// Apple's answer to one push, decided by status and `reason`, never by message text.
struct APNsReply {
    /// The JSON body of an error reply: `{"reason": "...", "timestamp": <ms>}` (the timestamp only with 410).
    private struct Body: Decodable {
        var reason: APNsReason?
        var timestamp: Double?
    }

    let status: Int
    /// `nil` when the body names none (a 200, or a reply from something in between).
    let reason: APNsReason?
    /// When APNs saw the token go (410 only).
    let invalidSince: Date?
    let retryAfter: Duration?

    init(_ response: CurlResponse) {
        // A 200 has no body to read, and is most replies: no decoder for it.
        let body = response.status == 200 ? nil : try? JSONDecoder().decode(Body.self, from: Data(response.body))
        status = response.status
        reason = body?.reason
        invalidSince = body?.timestamp.map { Date(timeIntervalSince1970: $0 / 1_000) }
        retryAfter = response.headers["retry-after"].flatMap(Int.init).map { Duration.seconds($0) }
    }

    /// The provider token was refused as too old: sign a fresh one and send again.
    var providerTokenExpired: Bool { status == 403 && reason == .expiredProviderToken }

    var outcome: PushOutcome {
        if status == 200 { return .delivered }
        let text = reason?.rawValue ?? "HTTP \(status)"
        switch (status, reason) {
        case (410, _):
            return .tokenGone(reason: text, at: invalidSince)
        case (400, .badDeviceToken):
            return .badToken(reason: text)
        case (403, .expiredProviderToken):
            return .retry(reason: text, after: .zero)
        case (403, _):
            return .credentialRejected(reason: text)  // InvalidProviderToken, BadCertificate, MissingProviderToken...
        case (429, _), (500...599, _):
            return .retry(reason: text, after: retryAfter)
        default:
            return .failed(reason: text)  // DeviceTokenNotForTopic, PayloadTooLarge...
        }
    }
}
