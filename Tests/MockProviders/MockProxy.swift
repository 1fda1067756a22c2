import Foundation

/// A loopback zmNinja push proxy (the cloud function the public zmNinja app's
/// pushes go through), checking the key and body as ProxySender writes them.
/// See `ProxyRules` for the exact checks.
public final class MockProxy: Sendable {
    /// How a gone token is reported: the proxy relays FCM's text, which comes in two forms.
    public enum TokenGoneStyle: Sendable {
        /// "Requested entity was not found."
        case notFound
        /// "The registration token is not a valid FCM registration token"
        case notAValidToken

        var text: String {
            switch self {
            case .notFound: "Requested entity was not found."
            case .notAValidToken: "The registration token is not a valid FCM registration token"
            }
        }
    }

    private let rules: ProxyRules
    private let server: HTTP2MockServer

    public init(authority: TestCertificateAuthority, key: String) async throws {
        let rules = ProxyRules(key: key)
        self.rules = rules
        self.server = try await HTTP2MockServer(tlsConfiguration: try authority.serverTLSConfiguration()) { request in
            let (reply, delay) = await rules.handle(request)
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            return reply
        }
    }

    public var port: Int { server.port }
    /// "https://localhost:<port>/send_push"
    public var url: String { "https://localhost:\(port)\(ProxyRules.path)" }

    /// Pushes answered 200, in arrival order.
    public func accepted() async -> [ProxyPush] { await rules.accepted }
    public func requests() async -> [RecordedRequest] { await rules.requests }
    public func connectionCount() async -> Int { await server.connectionCount() }

    /// The next `count` requests (for `deviceToken`, or any) get `fault` before any check runs.
    public func inject(_ fault: Fault, count: Int = 1, deviceToken: String? = nil) async {
        await rules.inject(fault, count: count, deviceToken: deviceToken)
    }

    /// The next `count` requests get 400 `{"Error":"Requested entity was not found."}` (or the
    /// "not a valid FCM registration token" text): the token is gone.
    public func injectTokenGone(count: Int = 1, deviceToken: String? = nil, style: TokenGoneStyle = .notFound) async {
        let body = JSONValue.object(["Error": .string(style.text)]).serialized
        await inject(.respond(status: 400, headers: ["content-type": "application/json; charset=utf-8"], body: body),
                     count: count, deviceToken: deviceToken)
    }

    /// Every request gets `fault` until called again with nil.
    public func failEverything(with fault: Fault?) async { await rules.failEverything(fault) }
    public func setResponseDelay(_ seconds: TimeInterval) async { await rules.setResponseDelay(seconds) }
    public func clearRecords() async { await rules.clearRecords() }
    public func dropConnections() async { await server.dropConnections() }

    public func shutdown() async { await server.shutdown() }
}
