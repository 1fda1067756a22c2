import Foundation

/// What makes one provider: the reply to each request, and the records and controls that every
/// mock offers. Each provider's checks live in one actor (`APNsRules`, `FCMRules`, `ProxyRules`).
public protocol MockProviderRules: Actor {
    /// The reply to `request`, and how long to wait before sending it.
    func handle(_ request: RecordedRequest) async -> (MockReply, TimeInterval)
    /// Everything received, refused requests included, in arrival order.
    var requests: [RecordedRequest] { get }
    /// Every request gets `fault` until called again with nil (takes precedence over queued faults).
    func failEverything(_ fault: Fault?)
    /// Delays every answer (timeouts, in-flight concurrency).
    func setResponseDelay(_ seconds: TimeInterval)
    /// Forgets recorded requests and accepted pushes (long benchmarks).
    func clearRecords()
}

/// A provider on loopback: its `Rules` answer each request, served over HTTP/2 and TLS by
/// `HTTP2MockServer`. `MockAPNs`, `MockFCM` and `MockProxy` are this with their rules, plus the
/// controls of their own in an extension each.
public final class MockProvider<Rules: MockProviderRules>: Sendable {
    let rules: Rules
    let server: HTTP2MockServer

    /// Listens on 127.0.0.1, port chosen by the system, with `authority`'s leaf certificate.
    init(rules: Rules, authority: TestCertificateAuthority) async throws {
        self.rules = rules
        self.server = try await HTTP2MockServer(tlsConfiguration: try authority.serverTLSConfiguration()) { request in
            let (reply, delay) = await rules.handle(request)
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            return reply
        }
    }

    public var port: Int { server.port }
    /// Everything received, including refused ones.
    public func requests() async -> [RecordedRequest] { await rules.requests }
    /// TCP connections accepted so far.
    public func connectionCount() async -> Int { await server.connectionCount() }
    /// Every request gets `fault` until called again with nil (takes precedence over queued faults).
    public func failEverything(with fault: Fault?) async { await rules.failEverything(fault) }
    /// Delays every answer (timeouts, in-flight concurrency).
    public func setResponseDelay(_ seconds: TimeInterval) async { await rules.setResponseDelay(seconds) }
    /// Forgets recorded requests and accepted pushes (long benchmarks).
    public func clearRecords() async { await rules.clearRecords() }
    /// Closes every open connection without warning.
    public func dropConnections() async { await server.dropConnections() }

    public func shutdown() async { await server.shutdown() }
}
