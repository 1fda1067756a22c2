import Crypto
import Foundation

/// A loopback APNs (HTTP/2, TLS, provider-token auth) that checks requests the
/// way Apple does and answers with Apple's statuses and `{"reason":...}` bodies.
/// See `APNsRules` for the exact checks and their order.
public final class MockAPNs: Sendable {
    private let rules: APNsRules
    private let server: HTTP2MockServer

    /// Listens on 127.0.0.1, port chosen by the system.
    public init(
        authority: TestCertificateAuthority, teamID: String, keyID: String,
        publicKey: P256.Signing.PublicKey, topic: String
    ) async throws {
        let rules = APNsRules(teamID: teamID, keyID: keyID, publicKey: publicKey, topic: topic)
        self.rules = rules
        self.server = try await HTTP2MockServer(tlsConfiguration: try authority.serverTLSConfiguration()) { request in
            let (reply, delay) = await rules.handle(request)
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            return reply
        }
    }

    public var port: Int { server.port }
    /// "https://localhost:<port>"; a client posts to `url + "/3/device/<token>"`.
    public var url: String { "https://localhost:\(port)" }

    /// Pushes answered 200, in arrival order.
    public func accepted() async -> [APNsPush] { await rules.accepted }

    /// How many pushes were accepted, without copying them (cheap enough to poll).
    public func acceptedCount() async -> Int { await rules.acceptedCount }
    /// Everything received, including refused ones.
    public func requests() async -> [RecordedRequest] { await rules.requests }
    /// TCP connections accepted so far.
    public func connectionCount() async -> Int { await server.connectionCount() }
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

    /// Every request gets `fault` until called again with nil (takes precedence over queued faults).
    public func failEverything(with fault: Fault?) async { await rules.failEverything(fault) }

    /// Moves the mock's clock (JWT age checks, the 20-minute token-refresh rule) forward.
    public func advanceClock(by seconds: TimeInterval) async { await rules.advanceClock(by: seconds) }
    /// Changes Apple's 20-minute minimum between new provider tokens (0 disables the 429).
    public func setMinimumTokenRefreshInterval(_ seconds: TimeInterval) async {
        await rules.setMinimumTokenRefreshInterval(seconds)
    }
    /// Delays every answer (timeouts, in-flight concurrency).
    public func setResponseDelay(_ seconds: TimeInterval) async { await rules.setResponseDelay(seconds) }
    /// Forgets recorded requests and accepted pushes (long benchmarks).
    public func clearRecords() async { await rules.clearRecords() }
    /// Closes every open connection without warning.
    public func dropConnections() async { await server.dropConnections() }

    public func shutdown() async { await server.shutdown() }
}
