import EventServer
import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("ZoneMinder auth backend")
struct ZoneMinderAuthTests {
    /// A fake ZoneMinder with `accounts` and a server using it as its auth backend, for `body`;
    /// both are stopped, and waited for, afterwards.
    func withServer(
        accounts: [String: FakeZoneMinder.Account], configure: (inout Configuration) -> Void = { _ in },
        _ body: (TestServer, FakeZoneMinder) async throws -> Void
    ) async throws {
        try await FakeZoneMinder.with(accounts: accounts) { zoneMinder in
            try await start(url: zoneMinder.url, configure: configure).run { server in try await body(server, zoneMinder) }
        }
    }

    func start(directory: String = TestServer.makeDirectory(), url: String, configure: (inout Configuration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start(directory: directory, users: [:]) { configuration in
            configuration.auth.backend = .zoneminder
            configuration.zoneminder.url = url
            configure(&configuration)
        }
    }

    /// Re-checks every 0.3 s, asking ZoneMinder again about permissions older than 1 s.
    static func quickRecheck(_ configuration: inout Configuration) {
        configuration.auth.recheckInterval = 0.3
        configuration.auth.zoneminderRecheck = 1
    }

    /// A logged-in session without a device, and a registered device on another.
    func loginWithDevice(_ server: TestServer, token: String) async throws -> (desktop: TestClient, phone: TestClient) {
        let desktop = try await server.loggedInClient("viewer", "pw")
        let phone = try await server.loggedInClient("viewer", "pw", token: token)
        try await phone.registerDevice(token: token)
        return (desktop, phone)
    }

    @Test("a monitor taken away at ZoneMinder stops reaching the user's live session and devices once the permissions expire")
    func narrowedAtZoneMinder() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1, 2])], configure: Self.quickRecheck) { server, zoneMinder in
            let (desktop, phone) = try await loginWithDevice(server, token: String(repeating: "3c", count: 32))
            let before = try await server.alarm(monitor: 2, event: 1)
            #expect(before["pushesQueued"] as? Int == 1)
            #expect(before["websocketDeliveries"] as? Int == 2)
            _ = try await desktop.receive()
            _ = try await phone.receive()

            await zoneMinder.accounts.set("viewer", .init(password: "pw", monitors: [1]))
            let started = ContinuousClock.now
            var event = 1
            let stopped = try await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
                event += 1
                let report = try await server.alarm(monitor: 2, event: event)
                if report["pushesQueued"] as? Int == 0 && report["websocketDeliveries"] as? Int == 0 { return true }
                for _ in 0..<(report["websocketDeliveries"] as? Int ?? 0) { _ = await desktop.receiveText(timeout: .milliseconds(200)) }
                return false
            }
            #expect(stopped)
            print("a monitor taken away at ZoneMinder stopped reaching the user after", ContinuousClock.now - started)
            let allowed = try await server.alarm(monitor: 1, event: event + 1)
            #expect(allowed["pushesQueued"] as? Int == 1)
            #expect(allowed["websocketDeliveries"] as? Int == 2)
            await desktop.close()
            await phone.close()
        }
    }

    @Test("a user removed at ZoneMinder is disconnected and their devices get no more pushes")
    func removedAtZoneMinder() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1])], configure: Self.quickRecheck) { server, zoneMinder in
            let (desktop, phone) = try await loginWithDevice(server, token: String(repeating: "4d", count: 32))
            #expect(try await server.alarm(monitor: 1, event: 1)["pushesQueued"] as? Int == 1)

            await zoneMinder.accounts.set("viewer", nil)
            #expect(try await desktop.closeCode(timeout: .seconds(15)) == .policyViolation)
            #expect(try await phone.closeCode(timeout: .seconds(15)) == .policyViolation)
            #expect(try await server.alarm(monitor: 1, event: 2)["pushesQueued"] as? Int == 0)
            // The login cache does not let the removed user back in.
            let again = try await TestClient.connect(to: server)
            try await again.send(json: ["event": "auth", "data": ["user": "viewer", "password": "pw"]])
            #expect(try await again.receive()["reason"] as? String == "BADAUTH")
        }
    }

    @Test("ZoneMinder down at the re-check: the last answer is kept for auth.zoneminder_grace, then dropped")
    func unreachableAtRecheck() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1])], configure: {
            Self.quickRecheck(&$0)
            $0.auth.zoneminderGrace = 20  // long enough for the logins and the first alarm on a loaded machine
        }) { server, zoneMinder in
            let loggingIn = ContinuousClock.now
            let (desktop, phone) = try await loginWithDevice(server, token: String(repeating: "5e", count: 32))
            await zoneMinder.accounts.setFailing(true)
            try await Task.sleep(for: .seconds(2))  // past the re-check (1 s), within the grace
            #expect(try await server.alarm(monitor: 1, event: 1)["pushesQueued"] as? Int == 1)
            _ = try await desktop.receive()
            _ = try await phone.receive()
            #expect(try await desktop.closeCode(timeout: .seconds(45)) == .policyViolation)
            // Verified at the login: trusted for the re-check period plus the grace, 21 s.
            #expect(ContinuousClock.now - loggingIn >= .seconds(20))
            print("permissions dropped", ContinuousClock.now - loggingIn, "after the last successful ZoneMinder check")
            #expect(try await server.alarm(monitor: 1, event: 2)["pushesQueued"] as? Int == 0)
        }
    }

    @Test("a good ZoneMinder login succeeds and the user sees only the monitors ZoneMinder shows them")
    func restricted() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1, 2])]) { server, zoneMinder in
            let client = try await server.loggedInClient("viewer", "pw")
            try await server.alarm(monitor: 3, event: 1)
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 2, event: 2)
            #expect(try await client.receive()["event"] as? String == "alarm")
            await client.close()
        }
    }

    @Test("a wrong password gets BADAUTH")
    func badLogin() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1])]) { server, zoneMinder in
            let client = try await TestClient.connect(to: server)
            try await client.send(json: ["event": "auth", "data": ["user": "viewer", "password": "nope"]])
            #expect(try await client.receive()["reason"] as? String == "BADAUTH")
            #expect(try await client.closeCode() == .policyViolation)
        }
    }

    @Test("reconnects within the cache do not call ZoneMinder again; a changed password does")
    func cached() async throws {
        try await withServer(accounts: ["viewer": .init(password: "pw", monitors: [1])]) { server, zoneMinder in
            for _ in 0..<5 {
                let client = try await server.loggedInClient("viewer", "pw")
                await client.close()
            }
            #expect(await zoneMinder.counters.logins == 1)
            let wrong = try await TestClient.connect(to: server)
            try await wrong.send(json: ["event": "auth", "data": ["user": "viewer", "password": "other"]])
            #expect(try await wrong.receive()["reason"] as? String == "BADAUTH")
            #expect(await zoneMinder.counters.logins == 2)
        }
    }

    @Test("ZoneMinder down gives a prompt BADAUTH, not a hang")
    func down() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: [:])
        let url = zoneMinder.url
        await zoneMinder.stop()
        try await start(url: url).run { server in
            let client = try await TestClient.connect(to: server)
            let started = ContinuousClock.now
            try await client.send(json: ["event": "auth", "data": ["user": "viewer", "password": "pw"]])
            #expect(try await client.receive(timeout: .seconds(15))["reason"] as? String == "BADAUTH")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("a device's owner keeps their ZoneMinder permissions after a restart")
    func permissionsSurviveRestart() async throws {
        try await FakeZoneMinder.with(accounts: ["viewer": .init(password: "pw", monitors: [1])]) { zoneMinder in
            let directory = TestServer.makeDirectory()
            try await start(directory: directory, url: zoneMinder.url).run { server in
                let token = String(repeating: "7a", count: 32)
                let client = try await server.loggedInClient("viewer", "pw", token: token)
                try await client.registerDevice(token: token)
                await client.close()
            }
            try await start(directory: directory, url: zoneMinder.url).run { server throws in
                #expect(try await server.alarm(monitor: 1, event: 1)["pushesQueued"] as? Int == 1)
                #expect(try await server.alarm(monitor: 2, event: 2)["pushesQueued"] as? Int == 0)
            }
        }
    }
}
