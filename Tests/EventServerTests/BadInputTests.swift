import Foundation
import NIOCore
import NIOWebSocket
import Testing
import ZmesTestSupport

@Suite("Bad input")
struct BadInputTests {
    /// After each bad client, a good one must still log in and get an alarm.
    func assertStillServing(_ server: TestServer, event: Int) async throws {
        let good = try await server.loggedInClient()
        try await server.alarm(monitor: 1, event: event)
        #expect(try await good.receive()["event"] as? String == "alarm")
        await good.close()
    }

    @Test("non-JSON text gets BADJSON and the connection stays usable")
    func notJSON() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            for text in ["hello", "{\"event\":", "[1,2,3]", "\"auth\"", "{}", "{\"event\":\"push\",\"data\":\"token\"}"] {
                try await client.send(text)
                let reply = try await client.receive()
                #expect(reply["event"] as? String == "malformed", "for \(text)")
                expectReply(reply, type: "", status: "Fail", reason: "BADJSON")
            }
            try await client.login("alice", "secret")
            await client.close()
            try await assertStillServing(server, event: 1)
        }
    }

    @Test("JSON of the wrong types gets a named failure")
    func wrongTypes() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            try await client.send(json: ["event": "auth", "data": ["user": ["alice"], "password": 12]])
            #expect(try await client.receive()["reason"] as? String == "BADAUTH")
            _ = try await client.closeCode()

            let other = try await server.loggedInClient()
            try await other.send(json: ["event": "control", "data": ["type": "filter", "monlist": [1, 2], "intlist": "0,0"]])
            #expect(try await other.receive()["reason"] as? String == "BADMONITORLIST")
            try await other.send(json: ["event": "push", "data": ["type": "badge", "badge": ["zero"]]])
            #expect(try await other.receive()["reason"] as? String == "BADBADGE")
            try await other.send(json: ["event": 7, "data": [:] as [String: Any]])
            #expect(try await other.receive()["reason"] as? String == "NOTSUPPORTED")
            await other.close()
            try await assertStillServing(server, event: 2)
        }
    }

    @Test("a message over the size limit gets TOOBIG; a 1 MiB frame is closed with 1009")
    func oversized() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(String(repeating: "x", count: 100 * 1_024))
            let reply = try await client.receive()
            #expect(reply["event"] as? String == "malformed")
            #expect(reply["reason"] as? String == "TOOBIG")
            try await client.expectNoPendingMessage()

            try await client.send("{\"event\":\"auth\",\"data\":{\"user\":\"" + String(repeating: "a", count: 1 << 20) + "\"}}")
            #expect(try await client.closeCode() == .messageTooLarge)
            try await assertStillServing(server, event: 3)
        }
    }

    @Test("a binary frame is closed with 1003")
    func binaryFrame() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.sendBinary(Array("{\"event\":\"control\",\"data\":{\"type\":\"version\"}}".utf8))
            #expect(try await client.closeCode() == .unacceptableData)
            try await assertStillServing(server, event: 4)
        }
    }

    @Test("frames of random bytes get BADJSON, never a crash")
    func randomBytes() async throws {
        // 50 round trips before the login: on a loaded machine they outlast the default 20 s login deadline,
        // which is not what this test is about.
        try await TestServer.withServer(configure: { $0.auth.timeout = 300 }) { server in
            let client = try await TestClient.connect(to: server)
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<50 {
                let bytes = (0..<Int.random(in: 1...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try await client.sendFrame(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes)))
                let reply = try await client.receive()
                #expect(reply["status"] as? String == "Fail")
                #expect(["BADJSON", "NOTSUPPORTED", "NOAUTH"].contains(reply["reason"] as? String ?? ""))
            }
            try await client.login("alice", "secret")
            await client.close()
            try await assertStillServing(server, event: 5)
        }
    }
}
