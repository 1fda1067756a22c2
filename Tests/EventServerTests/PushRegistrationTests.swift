import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("Push registration and badges")
struct PushRegistrationTests {
    static let iosToken = String(repeating: "0a1b", count: 16)
    static let androidToken = "fcm-token:APA91bHkq_example_android_token_1234567890"

    @Test("a token registration stores the device with its owner, lists and app version")
    func registers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret", token: Self.iosToken)
        try await client.send(json: [
            "event": "push",
            "data": ["type": "token", "platform": "ios", "token": Self.iosToken, "state": "enabled", "monlist": "1,2", "intlist": "0,60", "appversion": "1.8.001"],
            "token": Self.iosToken,
        ])
        try await client.expectNoPendingMessage()
        let device = try #require(try await server.store().device(token: Self.iosToken))
        #expect(device.user == "alice")
        #expect(device.platform == .ios)
        #expect(device.state == .enabled)
        #expect(device.filter.monlist == "1,2")
        #expect(device.filter.intlist == "0,60")
        #expect(device.appVersion == "1.8.001")

        // Registering again without lists keeps them and never duplicates the device.
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "ios", "token": Self.iosToken, "state": "disabled"]])
        try await client.expectNoPendingMessage()
        let devices = try await server.store().devices()
        #expect(devices.count == 1)
        #expect(devices.first?.state == .disabled)
        #expect(devices.first?.filter.monlist == "1,2")
        await client.close()
    }

    @Test("missing platform or token are named")
    func missingFields() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret")
        try await client.send(json: ["event": "push", "data": ["type": "token", "token": Self.androidToken, "state": "enabled"]])
        var reply = try await client.receive()
        #expect(reply["event"] as? String == "push")
        #expect(reply["type"] as? String == "token")
        #expect(reply["status"] as? String == "Fail")
        #expect(reply["reason"] as? String == "MISSINGPLATFORM")
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "android", "state": "enabled"]])
        reply = try await client.receive()
        #expect(reply["type"] as? String == "token")
        #expect(reply["reason"] as? String == "MISSINGTOKEN")
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "windows", "token": "x"]])
        #expect(try await client.receive()["reason"] as? String == "BADPLATFORM")
        #expect(try await server.store().devices().isEmpty)
        await client.close()
    }

    @Test("with push off, every push message gets PUSHDISABLED")
    func pushDisabled() async throws {
        let server = try await TestServer.start { $0.push.enabled = false }
        defer { Task { await server.stop() } }
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret")
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "android", "token": Self.androidToken, "state": "enabled"]])
        let reply = try await client.receive()
        #expect(reply["event"] as? String == "push")
        #expect(reply["type"] as? String == "")
        #expect(reply["status"] as? String == "Fail")
        #expect(reply["reason"] as? String == "PUSHDISABLED")
        try await client.send(json: ["event": "push", "data": ["type": "badge", "badge": 0]])
        #expect(try await client.receive()["reason"] as? String == "PUSHDISABLED")
        #expect(try await server.store().devices().isEmpty)
        await client.close()
    }

    @Test("badge resets accept a number or a string, by top-level token or the connection's device")
    func badgeReset() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let store = try server.store()
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret", token: Self.iosToken)
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "ios", "token": Self.iosToken, "state": "enabled"], "token": Self.iosToken])
        try await client.expectNoPendingMessage()
        try await store.setBadge(7, token: Self.iosToken)

        try await client.send(json: ["event": "push", "data": ["type": "badge", "badge": "0"], "token": Self.iosToken])
        try await client.expectNoPendingMessage()
        #expect(try await store.device(token: Self.iosToken)?.badge == 0)

        try await client.send(json: ["event": "push", "data": ["type": "badge", "badge": 3]])
        try await client.expectNoPendingMessage()
        #expect(try await store.device(token: Self.iosToken)?.badge == 3)

        try await client.send(json: ["event": "push", "data": ["type": "badge", "badge": "many"]])
        let reply = try await client.receive()
        #expect(reply["type"] as? String == "badge")
        #expect(reply["reason"] as? String == "BADBADGE")
        #expect(try await store.device(token: Self.iosToken)?.badge == 3)
        await client.close()
    }

    @Test("a top-level token on auth identifies the device but registers nothing")
    func authTokenRegistersNothing() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret", token: Self.androidToken)
        try await client.expectNoPendingMessage()
        #expect(try await server.store().devices().isEmpty)
        await client.close()
    }
}
