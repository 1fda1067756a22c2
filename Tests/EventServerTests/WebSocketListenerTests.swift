import Foundation
import NIOCore
import NIOWebSocket
import Testing
import ZmesTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The websocket rules the listener keeps itself, spoken byte by byte over a plain socket:
/// pings, the close handshake, fragmented messages, the message ceiling, and plain HTTP.
@Suite("Websocket listener")
struct WebSocketListenerTests {
    static let upgrade =
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    /// A server without TLS (the socket speaks the protocol itself) and without logins.
    static func withPlainServer(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.withServer(configure: {
            $0.server.tls.enabled = false
            $0.auth.enabled = false
        }, body)
    }

    /// An upgraded raw connection; the 101 response has been read.
    static func upgraded(_ server: TestServer) async throws -> RawSocket {
        let socket = try RawSocket(port: server.ports.webSocket)
        try socket.send(upgrade)
        let head = await socket.read(timeout: .seconds(10)) { $0.firstRange(of: Array("\r\n\r\n".utf8)) != nil }
        #expect(String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101"), "\(String(decoding: head, as: UTF8.self))")
        return socket
    }

    /// Where a server frame (never masked) at the start of `bytes` has its payload, once its header is in.
    static func frameExtent(_ bytes: [UInt8]) -> (header: Int, end: Int, bytes: Int)? {
        guard bytes.count >= 2 else { return nil }
        let length = Int(bytes[1] & 0x7F)
        if length < 126 { return (2, 2 + length, bytes.count) }
        guard length == 126, bytes.count >= 4 else { return nil }
        return (4, 4 + (Int(bytes[2]) << 8 | Int(bytes[3])), bytes.count)
    }

    @Test("a ping gets a pong with its payload; a message in fragments is answered whole; a close gets a close back, then the socket closes")
    func controlFrames() async throws {
        try await Self.withPlainServer { server in
            let socket = try await Self.upgraded(server)
            try socket.send(frame: .ping, Array("hello".utf8))
            let pong = await socket.read(timeout: .seconds(10)) { $0.count >= 7 }
            #expect(pong == [0x8A, 0x05] + Array("hello".utf8))

            try socket.send(frame: .text, Array(#"{"event":"control","#.utf8), fin: false)
            try socket.send(frame: .continuation, Array(#""data":{"type":"version"}}"#.utf8))
            let reply = await socket.read(timeout: .seconds(10)) { Self.frameExtent($0).map { $0.end <= $0.bytes } ?? false }
            #expect(reply.first == 0x81, "a text frame: \(reply.prefix(2))")
            let text = String(decoding: reply.dropFirst(Self.frameExtent(reply)?.header ?? 0), as: UTF8.self)
            #expect(text.contains(#""type":"version""#) && text.contains(#""status":"Success""#), "\(text)")

            try socket.send(frame: .connectionClose, [0x03, 0xE8])  // 1000
            let answer = await socket.readUntilClosed(timeout: .seconds(10))
            #expect(answer == [0x88, 0x02, 0x03, 0xE8], "the close is answered with 1000: \(answer)")
            #expect(socket.isClosed, "then the server closes the socket")
        }
    }

    @Test("a close with a code no endpoint may send is answered with 1002")
    func badCloseCode() async throws {
        try await Self.withPlainServer { server in
            let socket = try await Self.upgraded(server)
            try socket.send(frame: .connectionClose, [0x03, 0xED])  // 1005 must never be sent
            #expect(await socket.readUntilClosed(timeout: .seconds(10)) == [0x88, 0x02, 0x03, 0xEA])
        }
    }

    @Test("a message over the ceiling sent in fragments is closed with 1009; a login in fragments works")
    func fragmentedCeiling() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            let login = #"{"event":"auth","data":{"user":"alice","password":"secret"}}"#
            let half = login.index(login.startIndex, offsetBy: 20)
            try await client.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: String(login[..<half]))))
            try await client.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: String(login[half...]))))
            #expect(try await client.receive()["status"] as? String == "Success")

            // Each fragment is within a frame's limit; together they pass the ceiling (4 × server.max_message_size).
            let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 60_000)
            try? await client.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: chunk))
            for _ in 0..<4 { try? await client.sendFrame(WebSocketFrame(fin: false, opcode: .continuation, data: chunk)) }
            #expect(try await client.closeCode() == .messageTooLarge)
        }
    }

    @Test("plain HTTP on the websocket port: 426 asking for a websocket, 405 for other methods, 400 for nonsense")
    func plainHTTP() async throws {
        try await Self.withPlainServer { server in
            for (request, status) in [
                ("GET /anything HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "426"),
                ("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n\r\n", "426"),  // no key
                ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", "405"),
                ("NOT HTTP AT ALL\r\n\r\n", "400"),
            ] {
                let socket = try RawSocket(port: server.ports.webSocket)
                try socket.send(request)
                let response = String(decoding: await socket.readUntilClosed(timeout: .seconds(10)), as: UTF8.self)
                #expect(response.hasPrefix("HTTP/1.1 \(status)"), "\(request.prefix(20)): \(response)")
                if status == "426" {
                    #expect(response.lowercased().contains("\r\nupgrade: websocket\r\n"), "\(response)")
                    #expect(response.hasSuffix("\r\n\r\nzmes: connect with a websocket client\n"), "\(response)")
                }
            }
            // And a websocket client still gets its session.
            let client = try await TestClient.connect(to: server)
            try await client.expectNoPendingMessage()
            await client.close()
        }
    }
}

extension RawSocket {
    /// Sends one masked frame, as a client must.
    func send(frame opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) throws {
        precondition(payload.count < 126)
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | UInt8(webSocketOpcode: opcode), 0x80 | UInt8(payload.count)] + mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw TestFailure("send() failed: \(errno)") }
    }

    /// Bytes from the server until `enough` says so, the server closes, or `timeout` passes.
    func read(timeout: Duration, until enough: @escaping @Sendable ([UInt8]) -> Bool) async -> [UInt8] {
        let fd = fd
        return await onOwnThread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4_096)
            let deadline = ContinuousClock.now + timeout
            while !enough(bytes), ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) >= 0 else { break }
                guard descriptor.revents != 0 else { continue }
                let count = recv(fd, &chunk, 1, 0)  // a byte at a time: nothing past what `enough` wants
                if count <= 0 { break }
                bytes += chunk[..<count]
            }
            return bytes
        }
    }
}
