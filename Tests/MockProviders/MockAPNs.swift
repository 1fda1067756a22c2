import Crypto
import Foundation

/// A loopback APNs (HTTP/2, TLS, provider-token auth) that checks requests the
/// way Apple does and answers with Apple's statuses and `{"reason":...}` bodies.
/// See `APNsRules` for the exact checks and their order.
public typealias MockAPNs = MockProvider<APNsRules>

extension MockProvider where Rules == APNsRules {
    /// Listens on 127.0.0.1, port chosen by the system.
    public convenience init(
        authority: TestCertificateAuthority, teamID: String, keyID: String,
        publicKey: P256.Signing.PublicKey, topic: String
    ) async throws {
        try await self.init(rules: APNsRules(teamID: teamID, keyID: keyID, publicKey: publicKey, topic: topic), authority: authority)
    }

    /// "https://localhost:<port>"; a client posts to `url + "/3/device/<token>"`.
    public var url: String { "https://localhost:\(port)" }

    /// Pushes answered 200, in arrival order.
    public func accepted() async -> [APNsPush] { await rules.accepted }

    /// How many pushes were accepted, without copying them (cheap enough to poll).
    public func acceptedCount() async -> Int { await rules.acceptedCount }
    /// Distinct provider JWTs seen in authorization headers (valid or not).
    public func distinctTokens() async -> Set<String> { await rules.seenTokens }

    /// The next `count` requests (to `deviceToken`, or any) get `fault` before any check runs.
    public func inject(_ fault: Fault, count: Int = 1, deviceToken: String? = nil) async {
        await rules.inject(fault, count: count, deviceToken: deviceToken)
    }

    /// Injects an Apple error: `status`, body `{"reason":..,"timestamp":ms}` (timestamp only when given,
    /// as Apple sends it with 410), and `retry-after` when given.
    public func injectAPNsError(
        status: Int, reason: String, timestamp: Date? = nil, retryAfter: Int? = nil,
        count: Int = 1, deviceToken: String? = nil
    ) async {
        var headers = ["content-type": "application/json; charset=UTF-8"]
        if let retryAfter { headers["retry-after"] = String(retryAfter) }
        let body = APNsRules.errorBody(reason: reason, timestamp: timestamp)
        await inject(.respond(status: status, headers: headers, body: body), count: count, deviceToken: deviceToken)
    }

    /// Moves the mock's clock (JWT age checks, the 20-minute token-refresh rule) forward.
    public func advanceClock(by seconds: TimeInterval) async { await rules.advanceClock(by: seconds) }
    /// Changes Apple's 20-minute minimum between new provider tokens (0 disables the 429).
    public func setMinimumTokenRefreshInterval(_ seconds: TimeInterval) async {
        await rules.setMinimumTokenRefreshInterval(seconds)
    }
}
