import Foundation
import Testing
import ZmesTestSupport

/// Two `zmes serve` processes with the ZoneMinder source on, sharing one PostgreSQL store and one
/// ZoneMinder's shared memory: one reads it, the other stands by, and takes over when the reader is
/// killed (docs/POSTGRESQL.md, "Several instances").
@Suite("ZoneMinder reader across instances")
struct ReaderTakeoverTests {
    @Test("exactly one of two instances reads ZoneMinder; kill -9 it and the other reads within 5 s, without repeating the event it notified")
    func takeover() async throws {
        let postgres = try PostgresServer.shared()
        let url = "postgres://\(PostgresServer.superuser)@127.0.0.1:\(postgres.port)/\(try postgres.createDatabase())?sslmode=disable"
        let shm = Zmes.makeDirectory()
        let monitor = ZoneMinderMonitorFile(directory: shm, monitorId: 1)
        monitor.write(state: .idle, event: 40)
        func instance(_ id: String) throws -> String {
            let directory = Zmes.makeDirectory()
            try Zmes.writeConfig(
                directory, server: ["tls: {enabled: false}", "instance_id: \(id)"],
                sections: """
                    auth: {enabled: false}
                    store: {backend: postgres, url: "\(url)"}
                    zoneminder: {enabled: true, shm_dir: \(shm), poll_interval: 0.05, monitors: [{id: 1, name: Garage}]}

                    """)
            return directory
        }
        let reading = "zoneminder shared memory: watching"
        let first = try Zmes.start(["serve"], in: try instance("first"))
        defer { first.terminateIfRunning() }
        _ = try await first.waitForListening()
        #expect(await eventually(timeout: .seconds(10)) { first.standardError.contains(reading) })
        let second = try Zmes.start(["serve"], in: try instance("second"))
        defer { second.terminateIfRunning() }
        let ports = try await second.waitForListening()
        #expect(await eventually(timeout: .seconds(10)) { second.standardError.contains("another instance holds the lock; standing by") })
        #expect(!second.standardError.contains(reading), "only one instance reads")

        // A phone on the second instance gets the first instance's alarm (through the store's channel).
        let phone = try await TestClient.connect(port: ports.webSocket, certificatePath: nil)
        try await Task.sleep(for: .milliseconds(500))
        monitor.write(state: .alarm, event: 41, cause: "Forced Web")
        let start = try await phone.receive(timeout: .seconds(10))
        #expect((start["events"] as? [[String: Any]])?.first?["EventId"] as? String == "41")

        first.crash()
        let killed = ContinuousClock.now
        #expect(await eventually(timeout: .seconds(10)) { second.standardError.contains(reading) })
        let takeover = ContinuousClock.now - killed
        print("the second instance read ZoneMinder \(takeover) after kill -9 of the first")
        #expect(takeover < .seconds(5))
        // The event the first notified is not notified again; the next one is.
        monitor.write(state: .alarm, event: 42, cause: "Forced Web")
        let next = try await phone.receive(timeout: .seconds(10))
        #expect((next["events"] as? [[String: Any]])?.first?["EventId"] as? String == "42", "\(next)")
        await phone.close()
        #expect(try await second.terminate() == 0)
    }
}
