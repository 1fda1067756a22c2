import MockProviders
import ZmesTestSupport

/// Where the site's pushes go: nginx (`return 200`, the fast real HTTP/2 server) when it is
/// installed, else the in-process strict mock. The mock checks what Apple checks but tops out
/// near 8,700 requests/s here (BENCHMARKS.md, section 1): 870 alarms/s of 10 pushes each, below
/// the 1,000 alarms/s the benchmark looks for. `ALARM_RATE_ENDPOINT=mock` picks the mock anyway.
enum PushEndpoint: Sendable {
    case nginx(Nginx)
    case mock(MockAPNs)

    var url: String {
        switch self {
        case .nginx(let nginx): return nginx.url
        case .mock(let mock): return mock.url
        }
    }

    var name: String {
        switch self {
        case .nginx: return "nginx 1.22 (HTTP/2, `return 200`)"
        case .mock: return "in-process MockAPNs"
        }
    }

    /// Forgets the pushes received so far.
    func clear() async throws {
        switch self {
        case .nginx(let nginx): try nginx.truncateAccessLog()
        case .mock(let mock): await mock.clearRecords()
        }
    }

    /// Pushes received since the last `clear`.
    func received() async throws -> Int {
        switch self {
        case .nginx(let nginx): return try nginx.loggedRequests().values.reduce(0, +)
        case .mock(let mock): return await mock.accepted().count
        }
    }

    func shutdown() async {
        switch self {
        case .nginx(let nginx): nginx.stop()
        case .mock(let mock): await mock.shutdown()
        }
    }
}
