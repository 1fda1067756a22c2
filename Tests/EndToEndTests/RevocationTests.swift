import Foundation
import NIOWebSocket
import Testing
import ZmesTestSupport

/// `zmes user remove` and a narrower `zmes user add --monitors` reach a running `zmes serve`
/// within seconds: live sessions are closed or narrowed, pushes follow.
@Suite("Revocation", .serialized)
struct RevocationTests {
    static let token = String(repeating: "6b5a4938", count: 8)

    /// `zmes alarm`'s report.
    static func alarm(_ fixture: PushFixture, monitor: Int, event: Int) throws -> [String: Any] {
        jsonObject(Array(try fixture.alarm(monitor: monitor, event: event).utf8))
    }

    @Test("zmes user remove: the user's sockets are closed within seconds and their devices get no push for the next alarm")
    func removeUser() async throws {
        try await PushFixture.serving(apns: true, extraConfig: "auth:\n  recheck_interval: 0.5\n") { fixture, server, ports in
            let apns = try #require(fixture.apns)
            let phone = try await fixture.connectPhone(ports, token: Self.token, platform: "ios")
            let desktop = try await fixture.connect(ports)
            try await desktop.login("alice", PushFixture.password)
            _ = try Self.alarm(fixture, monitor: 1, event: 100)
            #expect(await eventually { await apns.accepted().count == 1 })
            _ = try await phone.receive()
            _ = try await desktop.receive()

            let removed = try Zmes.run(["user", "remove", "alice"], in: fixture.directory)
            #expect(removed.status == 0, "\(removed.errors)")
            let started = ContinuousClock.now
            #expect(try await phone.closeCode(timeout: .seconds(15)) == .policyViolation)
            #expect(try await desktop.closeCode(timeout: .seconds(15)) == .policyViolation)
            print("sockets of the removed user closed after", ContinuousClock.now - started)

            let report = try Self.alarm(fixture, monitor: 1, event: 101)
            print("alarm after removal:", report)
            #expect(report["pushesQueued"] as? Int == 0)
            #expect(report["websocketDeliveries"] as? Int == 0)
            try await Task.sleep(for: .seconds(1))
            #expect(await apns.accepted().count == 1)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("zmes user add --monitors narrower: a live session stops receiving the removed monitor's alarms, and so do pushes")
    func narrowMonitors() async throws {
        try await PushFixture.serving(apns: true, extraConfig: "auth:\n  recheck_interval: 0.5\n") { fixture, server, ports in
            let apns = try #require(fixture.apns)
            let phone = try await fixture.connectPhone(ports, token: Self.token, platform: "ios")
            let desktop = try await fixture.connect(ports)  // no device: served by its session alone
            try await desktop.login("alice", PushFixture.password)
            #expect(try Self.alarm(fixture, monitor: 2, event: 200)["websocketDeliveries"] as? Int == 2)
            #expect(try await desktop.receive()["events"] != nil)
            _ = try await phone.receive()
            #expect(await eventually { await apns.accepted().count == 1 })

            let narrowed = try Zmes.run(["user", "add", "alice", "--monitors", "1", "--password-stdin"], in: fixture.directory, input: PushFixture.password + "\n")
            #expect(narrowed.status == 0, "\(narrowed.errors)")
            let started = ContinuousClock.now
            var event = 201
            let stopped = try await eventually(timeout: .seconds(15), every: .milliseconds(300)) {
                event += 1
                let report = try Self.alarm(fixture, monitor: 2, event: event)
                if report["websocketDeliveries"] as? Int == 0 { return true }
                _ = try await desktop.receive()  // still allowed this time: take it off the queue
                return false
            }
            #expect(stopped)
            print("monitor 2 stopped reaching the live session after", ContinuousClock.now - started)
            #expect(try Self.alarm(fixture, monitor: 2, event: event + 1)["pushesQueued"] as? Int == 0)
            try await desktop.expectNoPendingMessage()
            // Monitor 1 still reaches both, on the same sockets.
            let allowed = try Self.alarm(fixture, monitor: 1, event: event + 2)
            #expect(allowed["websocketDeliveries"] as? Int == 2)
            #expect(allowed["pushesQueued"] as? Int == 1)
            #expect((try await desktop.receive()["events"] as? [[String: Any]])?.first?["MonitorId"] as? String == "1")
            #expect(try await server.terminate() == 0)
        }
    }
}
