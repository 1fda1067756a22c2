import Foundation
import Testing
import ZmesTestSupport

@Suite("ZoneMinder source")
struct ZoneMinderSourceTests {
    @Test("without a static list, the monitors and their names come from ZoneMinder's API")
    func monitorsFromAPI() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["zmes": .init(password: "api-pw", monitors: [7])], names: [7: "Driveway"])
        let shm = TestServer.makeDirectory()
        let monitor = ZoneMinderMonitorFile(path: shm + "/zm.mmap.7")
        try monitor.write(state: 1, event: 0, cause: "")
        let server = try await TestServer.start { configuration in
            configuration.zoneminder.enabled = true
            configuration.zoneminder.url = zoneMinder.url
            configuration.zoneminder.user = "zmes"
            configuration.zoneminder.password = "api-pw"
            configuration.zoneminder.shmDir = shm
            configuration.zoneminder.pollInterval = 0.05
        }
        let client = try await TestClient.connect(to: server)
        try await client.login("alice", "secret")
        try await Task.sleep(for: .milliseconds(500))  // the source has read the API and the idle monitor
        try monitor.write(state: 3, event: 12, cause: "Motion")
        let message = try await client.receive()
        let event = try #require((message["events"] as? [[String: Any]])?.first)
        #expect(event["MonitorId"] as? String == "7")
        #expect(event["Name"] as? String == "Driveway")
        #expect(event["EventId"] as? String == "12")
        await client.close()
        await server.stop()
        await zoneMinder.stop()
    }
}
