import Foundation
@testable import EventServer
import Model
import Storage
import Testing
import ZmesTestSupport

@Suite("Who gets what")
struct RoutingTests {
    static let tokenA = String(repeating: "a1", count: 32)
    static let tokenB = "android-token-b-0123456789abcdefghijklmnop"

    @Test("a disabled device gets the alarm over its socket and nothing is queued")
    func disabledDevice() async throws {
        try await TestServer.withLoggedInClient(token: Self.tokenB) { server, client in
            try await client.registerDevice(token: Self.tokenB, platform: "android", state: "disabled")
            let report = try await server.alarm(monitor: 1, event: 100, name: "Garage", cause: "Motion: Driveway")
            #expect(report["pushesQueued"] as? Int == 0)
            let alarm = try await client.receive()
            #expect(alarm["event"] as? String == "alarm")
            #expect(alarm["supplementary"] == nil)
            let event = try #require((alarm["events"] as? [[String: Any]])?.first)
            #expect(event["EventId"] as? String == "100")
            #expect(event["Cause"] as? String == "Motion: Driveway")
            #expect(try await server.store().pushJobs().isEmpty)
        }
    }

    @Test("an enabled device gets an outbox job and the supplementary copy")
    func enabledDevice() async throws {
        try await TestServer.withLoggedInClient(token: Self.tokenA) { server, client in
            try await client.registerDevice(token: Self.tokenA, state: "enabled")
            let report = try await server.alarm(monitor: 2, event: 200)
            #expect(report["pushesQueued"] as? Int == 1)
            let alarm = try await client.receive()
            #expect(alarm["supplementary"] as? String == "true")
            let jobs = try await server.store().pushJobs()
            #expect(jobs.count == 1)
            #expect(jobs.first?.token == Self.tokenA)
            #expect(jobs.first?.state == .queued)
            #expect(jobs.first?.alarm.eventId == 200)
            #expect(jobs.first?.alarm.monitorId == 2)
            // Visible to operators through the admin API too.
            let (status, body) = try await server.get("/api/v1/pushes?state=queued")
            #expect(status == 200)
            let listed = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
            #expect(listed.first?["token"] as? String == Self.tokenA)
            #expect(listed.first?["state"] as? String == "queued")
        }
    }

    @Test("an alarm for 2,500 devices, written in parts, queues one push each; the same alarm again queues none")
    func alarmForManyDevices() async throws {
        try await TestServer.withServer { server in
            let store = try server.store()
            let tokens = (0..<2_500).map { String(format: "%064x", $0) }
            try await store.register(contentsOf: tokens.map {
                DeviceRegistration(token: $0, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1.6")
            })
            #expect(AlarmRouter.notificationsPerTransaction < tokens.count)  // so this alarm is written in parts
            let first = try await server.alarm(monitor: 1, event: 77)
            #expect(first["pushesQueued"] as? Int == tokens.count)
            let again = try await server.alarm(monitor: 1, event: 77)
            #expect(again["pushesQueued"] as? Int == 0)
            let jobs = try await store.pushJobs(state: nil, limit: 10_000)
            #expect(jobs.count == tokens.count)
            #expect(Set(jobs.map(\.token)) == Set(tokens))
        }
    }

    @Test("an enabled device with no socket open still gets its push")
    func enabledDeviceOffline() async throws {
        try await TestServer.withLoggedInClient(token: Self.tokenA) { server, client in
            try await client.registerDevice(token: Self.tokenA, state: "enabled")
            await client.close()
            let report = try await server.alarm(monitor: 1, event: 300)
            #expect(report["pushesQueued"] as? Int == 1)
            #expect(report["websocketDeliveries"] as? Int == 0)
        }
    }

    @Test("one device with two sockets is notified once")
    func twoSockets() async throws {
        try await TestServer.withServer { server in
            let first = try await server.loggedInClient(token: Self.tokenB)
            try await first.registerDevice(token: Self.tokenB, platform: "android", state: "disabled")
            let second = try await server.loggedInClient(token: Self.tokenB)
            let report = try await server.alarm(monitor: 1, event: 400)
            #expect(report["websocketDeliveries"] as? Int == 1)
            // Exactly one of the two sockets got it.
            try await first.send(json: ["event": "control", "data": ["type": "version"]])
            try await second.send(json: ["event": "control", "data": ["type": "version"]])
            let a = try await first.receive()
            let b = try await second.receive()
            let alarms = [a, b].filter { $0["event"] as? String == "alarm" }.count
            #expect(alarms == 1)
            await first.close()
            await second.close()
        }
    }

    @Test("a user limited to monitors 1,2 never sees monitor 3, by socket or push")
    func monitorPermissions() async throws {
        try await TestServer.withServer(users: ["carol": ("pw-carol", .only([1, 2]))]) { server in
            let phone = try await server.loggedInClient("carol", "pw-carol", token: Self.tokenA)
            try await phone.registerDevice(token: Self.tokenA, state: "enabled")
            let desktop = try await server.loggedInClient("carol", "pw-carol")
            let report = try await server.alarm(monitor: 3, event: 500)
            #expect(report["devicesNotified"] as? Int == 0)
            #expect(report["pushesQueued"] as? Int == 0)
            #expect(report["websocketDeliveries"] as? Int == 0)
            try await phone.expectNoPendingMessage()
            try await desktop.expectNoPendingMessage()
            try await server.alarm(monitor: 2, event: 501)
            #expect(try await desktop.receive()["event"] as? String == "alarm")
            #expect(try await phone.receive()["supplementary"] as? String == "true")
            await phone.close()
            await desktop.close()
        }
    }

    @Test("an unlisted monitor is not delivered; intervals hold, also across a restart, with the device and its badge")
    func intervalsSurviveRestart() async throws {
        let directory = TestServer.makeDirectory()
        try await TestServer.withLoggedInClient(token: Self.tokenB, directory: directory) { server, client in
            try await client.registerDevice(token: Self.tokenB, platform: "android", state: "disabled", monlist: "1,2,3", intlist: "0,3600,2")
            try await server.store().setBadge(5, token: Self.tokenB)

            try await server.alarm(monitor: 9, event: 1)  // not in monlist
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 2, event: 2)
            #expect(try await client.receive()["event"] as? String == "alarm")
            try await server.alarm(monitor: 2, event: 3)  // inside monitor 2's hour
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 1, event: 4)  // monitor 1 has no interval
            #expect(try await client.receive()["event"] as? String == "alarm")
        }
        try await TestServer.withServer(directory: directory) { server in
            let device = try #require(try await server.store().device(token: Self.tokenB))
            #expect(device.filter.monlist == "1,2,3")
            #expect(device.filter.intlist == "0,3600,2")
            #expect(device.badge == 5)
            #expect(device.state == .disabled)

            let client = try await server.loggedInClient(token: Self.tokenB)
            try await server.alarm(monitor: 2, event: 5)  // still inside the hour after the restart
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 3, event: 6)
            #expect(try await client.receive()["event"] as? String == "alarm")
            try await server.alarm(monitor: 3, event: 7)  // inside monitor 3's 2 s
            try await client.expectNoPendingMessage()
            try await Task.sleep(for: .milliseconds(2_100))
            try await server.alarm(monitor: 3, event: 8)  // after it
            let alarm = try await client.receive()
            #expect((alarm["events"] as? [[String: Any]])?.first?["EventId"] as? String == "8")
            await client.close()
        }
    }

    @Test("a device's stored list governs every socket that names its token, not that socket's own filter")
    func storedListGovernsSockets() async throws {
        try await TestServer.withServer { server in
            let phone = try await server.loggedInClient(token: Self.tokenB)
            try await phone.registerDevice(token: Self.tokenB, platform: "android", state: "disabled", monlist: "1")
            await phone.close()
            // Logging in with the token identifies the device; the connection's own filter is every monitor.
            let again = try await server.loggedInClient(token: Self.tokenB)
            let report = try await server.alarm(monitor: 5, event: 700)
            #expect(report["websocketDeliveries"] as? Int == 0)
            try await again.expectNoPendingMessage()
            try await server.alarm(monitor: 1, event: 701)
            #expect(try await again.receive()["event"] as? String == "alarm")
            await again.close()
        }
    }

    @Test("event ends reach the devices told of that event's start, prefixed End:")
    func eventEnd() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await server.alarm(monitor: 1, event: 42, cause: "Motion")
            _ = try await client.receive()
            try await server.alarm(monitor: 1, event: 42, cause: "Motion", kind: "end")
            let end = try await client.receive()
            #expect((end["events"] as? [[String: Any]])?.first?["Cause"] as? String == "End: Motion")
            try await server.alarm(monitor: 1, event: 99, kind: "end")  // never started here
            try await client.expectNoPendingMessage()
        }
    }
}
