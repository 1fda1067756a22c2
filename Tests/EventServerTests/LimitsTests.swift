import Foundation
import Testing
import ZmesTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Limits", .serialized)
struct LimitsTests {
    /// 1,000 sockets that never speak plus 200 that upgrade and never log in, while a real
    /// client keeps getting its alarms; every silent one is closed by its deadline.
    @Test("silent sockets are closed by their deadlines and never slow a good client")
    func silentSockets() async throws {
        raiseFileLimit(to: 8_192)
        // Deadlines long enough for a TLS handshake on a loaded 2-core machine.
        try await TestServer.withServer(configure: {
            $0.server.handshakeTimeout = 5
            $0.auth.timeout = 6
        }) { server in
            let good = try await server.loggedInClient()

            let opened = ContinuousClock.now
            let silent = try (0..<1_000).map { _ in try RawSocket(port: server.ports.webSocket) }
            var upgraded: [TestClient] = []
            for _ in 0..<200 { upgraded.append(try await TestClient.connect(to: server)) }

            for event in 1...5 {
                let started = ContinuousClock.now
                try await server.alarm(monitor: 1, event: event)
                #expect(try await good.receive(timeout: .seconds(2))["event"] as? String == "alarm")
                #expect(ContinuousClock.now - started < .seconds(2))
                try await Task.sleep(for: .milliseconds(300))
            }
            // Every silent socket is closed by the server once its deadline (counted from when the
            // server accepted it, which on a busy machine can be seconds after connect) has passed.
            let limit = opened + .seconds(40)
            var stillOpen = 0
            for socket in silent where await !socket.isClosedByPeer(waiting: max(.zero, limit - ContinuousClock.now)) {
                stillOpen += 1
            }
            #expect(stillOpen == 0, "\(stillOpen) of \(silent.count) silent sockets still open")
            var unauthenticatedOpen = 0
            for client in upgraded {
                let code = try? await client.closeCode(timeout: max(.seconds(1), limit - ContinuousClock.now))
                if code != .policyViolation { unauthenticatedOpen += 1 }
            }
            #expect(unauthenticatedOpen == 0)
            // The good client is still served.
            try await server.alarm(monitor: 1, event: 99)
            #expect(try await good.receive()["event"] as? String == "alarm")
            await good.close()
        }
    }

    @Test("an authenticated idle session outlives the handshake timeout")
    func idleSessionStays() async throws {
        try await TestServer.withLoggedInClient(configure: { $0.server.handshakeTimeout = 4 }) { server, client in
            try await Task.sleep(for: .seconds(5))
            try await server.alarm(monitor: 1, event: 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
        }
    }

    @Test("past server.max_sessions, upgrades are refused and existing sessions go on")
    func maxSessions() async throws {
        try await TestServer.withServer(configure: { $0.server.maxSessions = 2 }) { server in
            let first = try await server.loggedInClient()
            let second = try await TestClient.connect(to: server)
            await #expect(throws: (any Error).self) { try await TestClient.connect(to: server) }
            try await first.expectNoPendingMessage()
            await second.close()
            try await Task.sleep(for: .milliseconds(300))
            let third = try await TestClient.connect(to: server)
            await third.close()
            await first.close()
        }
    }

    private func raiseFileLimit(to wanted: rlim_t) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// A plain TCP connection that sends nothing, as a stalled or malicious client would.
final class RawSocket {
    let fd: Int32
    /// Set once a read has seen the server close its side.
    var isClosed = false

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect() failed: \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    /// Whether the server has closed its side (a read returns end of file or a reset).
    func isClosedByPeer(waiting timeout: Duration) async -> Bool {
        let fd = fd
        return await onOwnThread {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&descriptor, 1, max(1, milliseconds)) > 0 else { return false }
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
    }
}

/// Runs a blocking call (a `poll` that may wait seconds) on a thread of its own: on the
/// cooperative pool it would starve the servers and clients of the tests running beside it.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}
