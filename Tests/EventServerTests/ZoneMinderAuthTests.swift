import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("ZoneMinder auth backend")
struct ZoneMinderAuthTests {
    func start(_ zoneMinder: FakeZoneMinder?, url: String? = nil) async throws -> TestServer {
        try await TestServer.start(users: [:]) { configuration in
            configuration.auth.backend = .zoneminder
            configuration.zoneminder.url = url ?? zoneMinder!.url
        }
    }

    @Test("a good ZoneMinder login succeeds and the user sees only the monitors ZoneMinder shows them")
    func restricted() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["viewer": .init(password: "pw", monitors: [1, 2])])
        let server = try await start(zoneMinder)
        let client = try await TestClient.connect(to: server)
        try await client.login("viewer", "pw")
        try await server.alarm(monitor: 3, event: 1)
        try await client.expectNoPendingMessage()
        try await server.alarm(monitor: 2, event: 2)
        #expect(try await client.receive()["event"] as? String == "alarm")
        await client.close()
        await server.stop()
        await zoneMinder.stop()
    }

    @Test("a wrong password gets BADAUTH")
    func badLogin() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["viewer": .init(password: "pw", monitors: [1])])
        let server = try await start(zoneMinder)
        let client = try await TestClient.connect(to: server)
        try await client.send(json: ["event": "auth", "data": ["user": "viewer", "password": "nope"]])
        #expect(try await client.receive()["reason"] as? String == "BADAUTH")
        #expect(try await client.closeCode() == .policyViolation)
        await server.stop()
        await zoneMinder.stop()
    }

    @Test("reconnects within the cache do not call ZoneMinder again; a changed password does")
    func cached() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["viewer": .init(password: "pw", monitors: [1])])
        let server = try await start(zoneMinder)
        for _ in 0..<5 {
            let client = try await TestClient.connect(to: server)
            try await client.login("viewer", "pw")
            await client.close()
        }
        #expect(await zoneMinder.counters.logins == 1)
        let wrong = try await TestClient.connect(to: server)
        try await wrong.send(json: ["event": "auth", "data": ["user": "viewer", "password": "other"]])
        #expect(try await wrong.receive()["reason"] as? String == "BADAUTH")
        #expect(await zoneMinder.counters.logins == 2)
        await server.stop()
        await zoneMinder.stop()
    }

    @Test("ZoneMinder down gives a prompt BADAUTH, not a hang")
    func down() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: [:])
        let url = zoneMinder.url
        await zoneMinder.stop()
        let server = try await start(nil, url: url)
        let client = try await TestClient.connect(to: server)
        let started = ContinuousClock.now
        try await client.send(json: ["event": "auth", "data": ["user": "viewer", "password": "pw"]])
        #expect(try await client.receive(timeout: .seconds(15))["reason"] as? String == "BADAUTH")
        #expect(ContinuousClock.now - started < .seconds(10))
        await server.stop()
    }

    @Test("a device's owner keeps their ZoneMinder permissions after a restart")
    func permissionsSurviveRestart() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["viewer": .init(password: "pw", monitors: [1])])
        let directory = TestServer.makeDirectory()
        var server = try await TestServer.start(directory: directory, users: [:]) {
            $0.auth.backend = .zoneminder
            $0.zoneminder.url = zoneMinder.url
        }
        let client = try await TestClient.connect(to: server)
        let token = String(repeating: "7a", count: 32)
        try await client.login("viewer", "pw", token: token)
        try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "ios", "token": token, "state": "enabled"]])
        try await client.expectNoPendingMessage()
        await client.close()
        await server.stop()
        server = try await TestServer.start(directory: directory, users: [:]) {
            $0.auth.backend = .zoneminder
            $0.zoneminder.url = zoneMinder.url
        }
        #expect(try await server.alarm(monitor: 1, event: 1)["pushesQueued"] as? Int == 1)
        #expect(try await server.alarm(monitor: 2, event: 2)["pushesQueued"] as? Int == 0)
        await server.stop()
        await zoneMinder.stop()
    }
}
