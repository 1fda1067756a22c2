import Foundation
import Testing
import ZmesTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Pings find peers that went away without closing (a phone that lost its network); a peer
/// that answers is never disturbed by them.
@Suite("Keepalive pings")
struct KeepaliveTests {
    @Test("a peer that never answers pings is closed at the next ping, with 1001 'ping timeout'")
    func silentPeerIsClosed() async throws {
        try await TestServer.withServer(configure: {
            $0.server.tls.enabled = false  // a raw socket speaks the upgrade itself
            $0.server.pingInterval = 1
            $0.auth.timeout = 60  // so only the pings can close it
        }) { server in
            let socket = try RawSocket(port: server.ports.webSocket)
            try socket.send(
                "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            let started = ContinuousClock.now
            let received = await socket.readUntilClosed(timeout: .seconds(10))
            let elapsed = ContinuousClock.now - started
            let text = String(decoding: received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 101"), "\(text.prefix(40))")
            let frames = Array(received[(received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound ?? 0)...])
            #expect(frames.starts(with: [0x89, 0x00]), "the first frame is an empty ping: \(frames.prefix(4))")
            let close: [UInt8] = [0x88, 14, 0x03, 0xE9] + Array("ping timeout".utf8)
            #expect(Array(frames.dropFirst(2)) == close, "then a close 1001 'ping timeout': \(frames)")
            #expect(socket.isClosed, "the server closed the socket")
            // The second ping is 2 s after the upgrade; the bound leaves room for a loaded machine.
            #expect(elapsed >= .milliseconds(1_900) && elapsed < .seconds(10), "closed at the second ping, after \(elapsed)")
        }
    }

    @Test("a client that answers pings stays connected across many intervals and keeps getting alarms")
    func answeringPeerStays() async throws {
        // Intervals long enough that the client's pong (answered on the test process's busy
        // cooperative pool) is never late.
        try await TestServer.withLoggedInClient(configure: { $0.server.pingInterval = 1.5 }) { server, client in
            try await Task.sleep(for: .seconds(5))  // three pings, each answered by the client's websocket layer
            try await server.alarm(monitor: 1, event: 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            try await client.expectNoPendingMessage()
        }
    }
}

extension RawSocket {
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw TestFailure("send() failed: \(errno)") }
    }

    /// Every byte the server sends until it closes the connection (or `timeout` passes).
    func readUntilClosed(timeout: Duration) async -> [UInt8] {
        let fd = fd
        let (bytes, closed) = await onOwnThread { Self.read(fd, until: ContinuousClock.now + timeout) }
        isClosed = closed
        return bytes
    }

    private static func read(_ fd: Int32, until deadline: ContinuousClock.Instant) -> ([UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 else { break }
            guard descriptor.revents != 0 else { continue }
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { return (bytes, true) }
            bytes += chunk[..<count]
        }
        return (bytes, false)
    }
}
