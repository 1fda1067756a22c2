import EventServer
import Foundation
import NIOWebSocket
import Testing
import ZmesTestSupport

@Suite("Authentication")
struct AuthTests {
    @Test("a good login gets Success with a version zmNinja accepts")
    func goodLogin() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            try await client.send(json: ["event": "auth", "data": ["user": "alice", "password": "secret", "appversion": "1.8.001"], "token": ""])
            let reply = try await client.receive()
            expectReply(reply, event: "auth", type: "", status: "Success", reason: "")
            let version = try #require(reply["version"] as? String)
            #expect(isAtLeast(version, "6.0"))
            #expect((reply["server"] as? String)?.hasPrefix("zmes ") == true)
            await client.close()
        }
    }

    @Test("a wrong password gets BADAUTH, then the server closes")
    func badLogin() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            try await client.send(json: ["event": "auth", "data": ["user": "alice", "password": "wrong"]])
            let reply = try await client.receive()
            expectReply(reply, event: "auth", type: "", status: "Fail", reason: "BADAUTH")
            #expect(try await client.closeCode() == .policyViolation)
        }
    }

    @Test("an unknown user gets BADAUTH too")
    func unknownUser() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            try await client.send(json: ["event": "auth", "data": ["user": "mallory", "password": "secret"]])
            #expect(try await client.receive()["reason"] as? String == "BADAUTH")
            #expect(try await client.closeCode() == .policyViolation)
        }
    }

    @Test("silence past auth.timeout gets NOAUTH, then a close")
    func noAuthInTime() async throws {
        try await TestServer.withServer(configure: { $0.auth.timeout = 1 }) { server in
            // Counted from before the connection: the server's deadline starts once it has upgraded
            // it, which can be well before a busy test process sees `connect` return.
            let started = ContinuousClock.now
            let client = try await TestClient.connect(to: server)
            let reply = try await client.receive(timeout: .seconds(5))
            expectReply(reply, event: "auth", status: "Fail", reason: "NOAUTH")
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(try await client.closeCode() == .policyViolation)
        }
    }

    @Test("an authenticated connection is not closed by the deadline")
    func deadlineSparesGoodClients() async throws {
        try await TestServer.withLoggedInClient(configure: { $0.auth.timeout = 3 }) { server, client in
            try await Task.sleep(for: .milliseconds(3_500))
            try await client.expectNoPendingMessage()
        }
    }

    @Test("every message before auth is refused with NOAUTH and has no effect")
    func refusedBeforeAuth() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            let token = String(repeating: "ab", count: 32)
            try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "ios", "token": token, "state": "enabled"]])
            let push = try await client.receive()
            expectReply(push, event: "push", type: "", status: "Fail", reason: "NOAUTH")
            try await client.send(json: ["event": "control", "data": ["type": "filter", "monlist": "1", "intlist": "0"]])
            #expect(try await client.receive()["reason"] as? String == "NOAUTH")
            try await client.send(json: ["event": "control", "data": ["type": "version"]])
            #expect(try await client.receive()["reason"] as? String == "NOAUTH")
            #expect(try await server.store().device(token: token) == nil)
            #expect(try await server.store().devices().isEmpty)
            await client.close()
        }
    }

    @Test("auth may be repeated; the latest success wins")
    func repeatedAuth() async throws {
        try await TestServer.withLoggedInClient(users: ["alice": ("secret", .all), "bob": ("hunter2", .only([2]))]) { server, client in
            try await client.login("bob", "hunter2")
            let report = try await server.alarm(monitor: 1, event: 10)
            #expect(report["websocketDeliveries"] as? Int == 0)  // bob may not see monitor 1
            try await client.expectNoPendingMessage()
        }
    }

    @Test("repeated failures from one address are refused without a password check")
    func rateLimited() async throws {
        try await TestServer.withServer(configure: {
            $0.auth.maxFailures = 3
            $0.auth.failureWindow = 600
        }) { server in
            for _ in 0..<3 {
                let client = try await TestClient.connect(to: server)
                try await client.send(json: ["event": "auth", "data": ["user": "alice", "password": "guess"]])
                #expect(try await client.receive()["reason"] as? String == "BADAUTH")
                _ = try await client.closeCode()
            }
            let limited = try await TestClient.connect(to: server)
            try await limited.send(json: ["event": "auth", "data": ["user": "alice", "password": "secret"]])
            #expect(try await limited.receive()["reason"] as? String == "RATELIMITED")
            #expect(try await limited.closeCode() == .policyViolation)
        }
    }

    @Test("with auth disabled every client is served without a login")
    func authDisabled() async throws {
        try await TestServer.withServer(configure: { $0.auth.enabled = false }) { server in
            let client = try await TestClient.connect(to: server)
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 3, event: 77)
            let alarm = try await client.receive()
            #expect(alarm["event"] as? String == "alarm")
            await client.close()
        }
    }
}

/// zmNinja's comparison: segment by segment, numerically.
func isAtLeast(_ version: String, _ minimum: String) -> Bool {
    let a = version.split(separator: ".").map { Int($0) ?? 0 }
    let b = minimum.split(separator: ".").map { Int($0) ?? 0 }
    for index in 0..<max(a.count, b.count) {
        let x = index < a.count ? a[index] : 0
        let y = index < b.count ? b[index] : 0
        if x != y { return x > y }
    }
    return true
}
