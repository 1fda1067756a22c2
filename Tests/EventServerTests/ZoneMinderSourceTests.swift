import Foundation
import Testing
import ZmesTestSupport

@Suite("ZoneMinder source")
struct ZoneMinderSourceTests {
    @Test("without a static list, the monitors and their names come from ZoneMinder's API")
    func monitorsFromAPI() async throws {
        try await FakeZoneMinder.with(accounts: ["zmes": .init(password: "api-pw", monitors: [7])], names: [7: "Driveway"]) { zoneMinder in
            let shm = TestServer.makeDirectory()
            let monitor = ZoneMinderMonitorFile(directory: shm, monitorId: 7)
            monitor.write(state: .idle, event: 0, cause: "")
            try await TestServer.withLoggedInClient(configure: { $0.readZoneMinder(zoneMinder, shm: shm) }) { server, client in
                try await Task.sleep(for: .milliseconds(500))  // the source has read the API and the idle monitor
                monitor.write(state: .alarm, event: 12, cause: "Motion")
                let message = try await client.receive()
                let event = try #require((message["events"] as? [[String: Any]])?.first)
                #expect(event["MonitorId"] as? String == "7")
                #expect(event["Name"] as? String == "Driveway")
                #expect(event["EventId"] as? String == "12")
            }
        }
    }
}
