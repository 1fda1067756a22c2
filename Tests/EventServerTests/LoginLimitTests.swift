import EventServer
import Foundation
import Model
import Testing
import ZmesTestSupport

/// The login limits: per client (IPv4 address, IPv6 /64, or the address a trusted proxy
/// forwarded) and per user, counted before the password check.
@Suite("Login limits")
struct LoginLimitTests {
    /// One wrong login on a fresh connection; the failure reason the server gave.
    static func wrongLogin(_ server: TestServer, user: String = "alice", password: String = "guess", forwardedFor: String? = nil) async throws -> String {
        let client = try await TestClient.connect(to: server, headers: forwardedFor.map { [("X-Forwarded-For", $0)] } ?? [])
        try await client.send(json: ["event": "auth", "data": ["user": user, "password": password]])
        let reply = try await client.receive(timeout: .seconds(20))
        _ = try? await client.closeCode()
        return reply["status"] as? String == "Success" ? "Success" : reply["reason"] as? String ?? "?"
    }

    /// The value of one counter in the server's /metrics, 0 when absent.
    static func counter(_ server: TestServer, _ sample: String) async throws -> Int {
        let (_, body) = try await server.get("/metrics")
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Int(Double(line.dropFirst(sample.count + 1)) ?? -1)
        }
        return 0
    }

    /// A plain-websocket server whose login limits are `maxFailures` per client and `maxFailuresPerUser`
    /// per user (0: none) over 600 s, trusting `trustedProxies`' X-Forwarded-For; stopped after `body`.
    static func withLimits(
        maxFailures: Int, maxFailuresPerUser: Int, trustedProxies: [String] = [],
        users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all)],
        _ body: (TestServer) async throws -> Void
    ) async throws {
        try await TestServer.withServer(users: users, configure: {
            $0.server.tls.enabled = false
            $0.server.trustedProxies = trustedProxies.map { AddressRange($0)! }
            $0.auth.maxFailures = maxFailures
            $0.auth.maxFailuresPerUser = maxFailuresPerUser
            $0.auth.failureWindow = 600
        }, body)
    }

    @Test("200 wrong passwords sent 16 at a time: only auth.max_failures are checked, the rest get RATELIMITED")
    func concurrentGuesses() async throws {
        try await Self.withLimits(maxFailures: 5, maxFailuresPerUser: 0) { server in
            var reasons: [String: Int] = [:]
            for _ in 0..<(200 / 16 + 1) {
                let batch = min(16, 200 - reasons.values.reduce(0, +))
                guard batch > 0 else { break }
                try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<batch { group.addTask { try await Self.wrongLogin(server) } }
                    for try await reason in group { reasons[reason, default: 0] += 1 }
                }
            }
            print("concurrent wrong logins:", reasons.sorted { $0.key < $1.key })
            #expect(reasons["BADAUTH"] == 5)
            #expect(reasons["RATELIMITED"] == 195)
            #expect(try await Self.counter(server, #"zmes_auth_failures_total{reason="bad_credentials"}"#) == 5)
            #expect(try await Self.counter(server, #"zmes_auth_failures_total{reason="rate_limited"}"#) == 195)
        }
    }

    @Test("a user's failures from many addresses reach the per-user limit; other users are not affected")
    func perUserLimit() async throws {
        let users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all), "bob": ("hunter2", .all)]
        try await Self.withLimits(maxFailures: 100, maxFailuresPerUser: 3, trustedProxies: ["127.0.0.1"], users: users) { server throws in
            for index in 1...3 {
                #expect(try await Self.wrongLogin(server, forwardedFor: "198.51.100.\(index)") == "BADAUTH")
            }
            // Alice's right password from a fifth address: refused, her budget is spent.
            #expect(try await Self.wrongLogin(server, password: "secret", forwardedFor: "198.51.100.5") == "RATELIMITED")
            // Bob from that address logs in.
            #expect(try await Self.wrongLogin(server, user: "bob", password: "hunter2", forwardedFor: "198.51.100.5") == "Success")
        }
    }

    @Test("X-Forwarded-For from a trusted proxy names the client; the client's own entries cannot move it")
    func trustedProxy() async throws {
        try await Self.withLimits(maxFailures: 2, maxFailuresPerUser: 0, trustedProxies: ["127.0.0.0/8", "10.0.0.0/8"]) { server throws in
            #expect(try await Self.wrongLogin(server, forwardedFor: "203.0.113.7") == "BADAUTH")
            // Through a second trusted proxy: still 203.0.113.7.
            #expect(try await Self.wrongLogin(server, forwardedFor: "203.0.113.7, 10.1.2.3") == "BADAUTH")
            #expect(try await Self.wrongLogin(server, password: "secret", forwardedFor: "203.0.113.7") == "RATELIMITED")
            // The client wrote a fake address on the left: the proxy's right-most entry counts.
            #expect(try await Self.wrongLogin(server, password: "secret", forwardedFor: "192.0.2.99, 203.0.113.7") == "RATELIMITED")
            // Another client behind the same proxy is not affected.
            #expect(try await Self.wrongLogin(server, password: "secret", forwardedFor: "203.0.113.8") == "Success")
        }
    }

    @Test("X-Forwarded-For from an address that is not a trusted proxy is ignored")
    func untrustedForwardedFor() async throws {
        try await Self.withLimits(maxFailures: 2, maxFailuresPerUser: 0) { server throws in
            #expect(try await Self.wrongLogin(server, forwardedFor: "203.0.113.1") == "BADAUTH")
            #expect(try await Self.wrongLogin(server, forwardedFor: "203.0.113.2") == "BADAUTH")
            // Every one of them is 127.0.0.1, whatever the header says.
            #expect(try await Self.wrongLogin(server, password: "secret", forwardedFor: "203.0.113.3") == "RATELIMITED")
        }
    }

    @Test("two IPv6 addresses in one /64 share a budget; IPv4 and IPv4-mapped addresses are one client")
    func ipv6Prefix() async throws {
        let a = AuthRateLimiter.key(forAddress: "2001:db8:1:2::1")
        #expect(a == AuthRateLimiter.key(forAddress: "2001:db8:1:2:ffff:eeee:dddd:9"))
        #expect(a == "2001:db8:1:2::/64")
        #expect(a != AuthRateLimiter.key(forAddress: "2001:db8:1:3::1"))
        #expect(AuthRateLimiter.key(forAddress: "::ffff:192.0.2.1") == "192.0.2.1")
        #expect(AuthRateLimiter.key(forAddress: "192.0.2.1") != AuthRateLimiter.key(forAddress: "192.0.2.2"))

        let limiter = AuthRateLimiter(limits: .init(maxFailuresPerAddress: 2, window: 60))
        _ = try await limiter.reserve(address: "2001:db8:1:2::1", user: "a")
        _ = try await limiter.reserve(address: "2001:db8:1:2::2", user: "b")
        await #expect(throws: AuthRateLimiter.Refusal.address) { try await limiter.reserve(address: "2001:db8:1:2::3", user: "c") }
        _ = try await limiter.reserve(address: "2001:db8:1:99::1", user: "d")
    }

    @Test("a success gives its attempt back; a window that has passed frees the address")
    func windowAndRelease() async throws {
        let limiter = AuthRateLimiter(limits: .init(maxFailuresPerAddress: 2, window: 60))
        let now = Date()
        let good = try await limiter.reserve(address: "10.0.0.1", user: "u", now: now)
        await limiter.release(good)
        _ = try await limiter.reserve(address: "10.0.0.1", user: "u", now: now)
        _ = try await limiter.reserve(address: "10.0.0.1", user: "u", now: now.addingTimeInterval(1))
        await #expect(throws: AuthRateLimiter.Refusal.address) { try await limiter.reserve(address: "10.0.0.1", user: "u", now: now.addingTimeInterval(2)) }
        _ = try await limiter.reserve(address: "10.0.0.2", user: "u", now: now.addingTimeInterval(2))
        _ = try await limiter.reserve(address: "10.0.0.1", user: "u", now: now.addingTimeInterval(62))
    }

    @Test("the failure table forgets passed windows and never grows past its capacity")
    func prune() async throws {
        let limiter = AuthRateLimiter(limits: .init(maxFailuresPerAddress: 5, maxFailuresPerUser: 5, window: 60, capacity: 100))
        let start = Date()
        for index in 0..<1_000 {
            _ = try await limiter.reserve(address: "10.0.\(index / 256).\(index % 256)", user: "user\(index)", now: start)
            #expect(await limiter.trackedCount <= 100)
        }
        #expect(await limiter.trackedCount > 0)
        await limiter.sweep(now: start.addingTimeInterval(61))
        #expect(await limiter.trackedCount == 0)
        // Swept by itself once a window has passed, at the next attempt.
        _ = try await limiter.reserve(address: "10.9.9.9", user: "x", now: start.addingTimeInterval(1))
        _ = try await limiter.reserve(address: "10.9.9.8", user: "y", now: start.addingTimeInterval(200))
        #expect(await limiter.trackedCount == 2)
    }

    @Test("server.trusted_proxies takes addresses and networks and names a bad entry")
    func trustedProxiesConfiguration() throws {
        let configuration = try ConfigurationLoader().load(yaml: "server:\n  trusted_proxies: [127.0.0.1, \"10.0.0.0/8\", \"::1\"]\n")
        #expect(configuration.server.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"])
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(yaml: "server:\n  trusted_proxies: [nginx.local]\n") }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(yaml: "server:\n  trusted_proxies: [\"10.0.0.0/33\"]\n") }
    }
}

/// `auth.login_cache` beside the limits: a remembered login counts no attempt, but is refused
/// like any other while a limit lasts.
@Suite("Login limits with remembered logins")
struct RememberedLoginLimitTests {
    @Test("once alice's login is remembered, 40 of her phones logging in at once from one address all succeed (auth.max_failures 5)")
    func stormFromOneAddress() async throws {
        try await LoginLimitTests.withLimits(maxFailures: 5, maxFailuresPerUser: 5) { server in
            #expect(try await LoginLimitTests.wrongLogin(server, password: "secret") == "Success")
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<40 { group.addTask { try await LoginLimitTests.wrongLogin(server, password: "secret") } }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes == ["Success": 40])
        }
    }

    @Test("while an address is rate-limited, even alice's remembered password gets RATELIMITED from it")
    func limitStillApplies() async throws {
        try await LoginLimitTests.withLimits(maxFailures: 3, maxFailuresPerUser: 0) { (server: TestServer) async throws in
            #expect(try await LoginLimitTests.wrongLogin(server, password: "secret") == "Success")
            for _ in 0..<3 { #expect(try await LoginLimitTests.wrongLogin(server) == "BADAUTH") }
            #expect(try await LoginLimitTests.wrongLogin(server, password: "secret") == "RATELIMITED")
        }
    }
}
