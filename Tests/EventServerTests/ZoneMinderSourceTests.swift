import Foundation
import Testing
import ZmesTestSupport

@Suite("ZoneMinder source")
struct ZoneMinderSourceTests {
    /// Writes a ZoneMinder 1.36 shared-memory header (ZONEMINDER.md) in place.
    func writeMonitor(_ path: String, state: UInt32, event: UInt64, cause: String) throws {
        var bytes = [UInt8](repeating: 0, count: 2_048)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { bytes[offset + i] = byte } }
        }
        put(UInt32(760), at: 0)
        put(state, at: 12)
        put(event, at: 32)
        bytes[68] = 1
        for (i, byte) in cause.utf8.enumerated() { bytes[376 + i] = byte }
        if FileManager.default.fileExists(atPath: path) {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        } else {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
    }

    @Test("without a static list, the monitors and their names come from ZoneMinder's API")
    func monitorsFromAPI() async throws {
        let zoneMinder = try await FakeZoneMinder(accounts: ["zmes": .init(password: "api-pw", monitors: [7])], names: [7: "Driveway"])
        let shm = TestServer.makeDirectory()
        try writeMonitor(shm + "/zm.mmap.7", state: 1, event: 0, cause: "")
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
        try writeMonitor(shm + "/zm.mmap.7", state: 3, event: 12, cause: "Motion")
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
