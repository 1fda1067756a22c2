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
        try await TestServer.withLoggedInClient(token: Self.iosToken) { server, client in
            try await client.registerDevice(token: Self.iosToken, monlist: "1,2", intlist: "0,60", appVersion: "1.8.001")
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
        }
    }

    @Test("missing platform or token are named")
    func missingFields() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(json: ["event": "push", "data": ["type": "token", "token": Self.androidToken, "state": "enabled"]])
            var reply = try await client.receive()
            expectReply(reply, event: "push", type: "token", status: "Fail", reason: "MISSINGPLATFORM")
            try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "android", "state": "enabled"]])
            reply = try await client.receive()
            #expect(reply["type"] as? String == "token")
            #expect(reply["reason"] as? String == "MISSINGTOKEN")
            try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "windows", "token": "x"]])
            #expect(try await client.receive()["reason"] as? String == "BADPLATFORM")
            #expect(try await server.store().devices().isEmpty)
        }
    }

    @Test("with push off, every push message gets PUSHDISABLED")
    func pushDisabled() async throws {
        try await TestServer.withLoggedInClient(configure: { $0.push.enabled = false }) { server, client in
            try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "android", "token": Self.androidToken, "state": "enabled"]])
            let reply = try await client.receive()
            expectReply(reply, event: "push", type: "", status: "Fail", reason: "PUSHDISABLED")
            try await client.send(json: ["event": "push", "data": ["type": "badge", "badge": 0]])
            #expect(try await client.receive()["reason"] as? String == "PUSHDISABLED")
            #expect(try await server.store().devices().isEmpty)
        }
    }

    @Test("badge resets accept a number or a string, by top-level token or the connection's device")
    func badgeReset() async throws {
        try await TestServer.withServer { server in
            let store = try server.store()
            let client = try await server.loggedInClient(token: Self.iosToken)
            try await client.registerDevice(token: Self.iosToken)
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
    }

    @Test("a top-level token on auth identifies the device but registers nothing")
    func authTokenRegistersNothing() async throws {
        try await TestServer.withLoggedInClient(token: Self.androidToken) { server, client in
            try await client.expectNoPendingMessage()
            #expect(try await server.store().devices().isEmpty)
        }
    }
}
