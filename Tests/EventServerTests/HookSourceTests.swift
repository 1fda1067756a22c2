import Foundation
import Testing
import ZmesTestSupport

/// Hooks for alarms read from ZoneMinder's shared memory, against a fake ZoneMinder API.
@Suite("Detection hooks on ZoneMinder alarms")
struct HookSourceTests {
    @Test("{path} comes from ZoneMinder's API, the Notes are written back, and a slow hook on one monitor does not hold up another's alarm")
    func zoneMinderAlarms() async throws {
        try await FakeZoneMinder.with(accounts: ["zmes": .init(password: "api-pw", monitors: [7, 8])], names: [7: "Driveway", 8: "Porch"]) { zoneMinder in
            let scripts = HookScripts()
            let hook = try scripts.script(
                "detect.sh", "echo \"$3\" > DIR/path-$1\nif [ \"$2\" = 7 ]; then sleep 6; fi\necho \"[a] detected:person:9$2% --SPLIT--{}\"")
            let shm = TestServer.makeDirectory()
            let driveway = ZoneMinderMonitorFile(directory: shm, monitorId: 7)
            let porch = ZoneMinderMonitorFile(directory: shm, monitorId: 8)
            driveway.write(state: .idle, event: 0, cause: "")
            porch.write(state: .idle, event: 0, cause: "")
            try await TestServer.withLoggedInClient(configure: { configuration in
                configuration.readZoneMinder(zoneMinder, shm: shm)
                configuration.hooks.eventStart = [hook, "{eid}", "{mid}", "{path}"]
                configuration.hooks.wait = 12
                configuration.hooks.updateNotes = true
            }) { _, client in
                try await Task.sleep(for: .milliseconds(500))  // the source has read the API and the idle monitors
                driveway.write(state: .alarm, event: 12, cause: "Motion")
                #expect(await eventually { scripts.exists("path-12") })  // the driveway's slow hook is running
                porch.write(state: .alarm, event: 13, cause: "Motion")

                let first = try #require((try await client.receive(timeout: .seconds(20))["events"] as? [[String: Any]])?.first)
                #expect(first["MonitorId"] as? String == "8", "the porch's alarm waited for the driveway's hook")
                #expect(first["Cause"] as? String == "detected:person:98% Motion")
                let second = try #require((try await client.receive(timeout: .seconds(20))["events"] as? [[String: Any]])?.first)
                #expect(second["MonitorId"] as? String == "7")
                #expect(second["Cause"] as? String == "detected:person:97% Motion")

                #expect(scripts.read("path-12") == "/var/cache/zoneminder/events/12\n")
                #expect(await eventually { await zoneMinder.counters.notesUpdates.count == 2 })
                let updates = await zoneMinder.counters.notesUpdates
                #expect(updates.map(\.body).sorted() == ["Event[Notes]=detected:person:97%", "Event[Notes]=detected:person:98%"])
                #expect(updates.allSatisfy { $0.url.contains("token=token-zmes") && !$0.url.contains("api-pw") })
            }
        }
    }
}
