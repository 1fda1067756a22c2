import EventServer
import Foundation
import Logging
import Model
import Storage
import Testing
import ZmesTestSupport

@Suite("zmes serve on a store copied from SQLite")
struct StoreCopyServeTests {
    @Test("a server on the PostgreSQL copy logs the copied user in with its password, keeps the copied mute, and queues an alarm's push")
    func serveOnCopy() async throws {
        let directory = TestServer.makeDirectory()
        let token = String(repeating: "d4", count: 32)
        var logger = Logger(label: "zmes-test")
        logger.logLevel = .critical
        let postgres = try PostgresServer.shared()
        let location = PostgresLocation(
            host: "127.0.0.1", port: postgres.port, user: PostgresServer.superuser, database: try postgres.createDatabase(), tls: .disable)
        try await withStore(.sqlite(path: directory + "/old.sqlite"), instanceId: "old", logger: logger) { source in
            try await source.saveUser(User(name: "carol", passwordHash: await PasswordHasher.hash("carol-pw-0001", cost: 4), monitors: .all))
            try await source.importDevices([
                (DeviceRegistration(token: token, user: "carol", platform: .ios, state: .enabled, filter: nil, appVersion: "1.6"), 5)
            ])
            try await source.muteMonitor(9, until: Date().addingTimeInterval(3_600))
            try await withStore(.postgres(location), instanceId: "copy", logger: logger) { target in
                _ = try await StoreCopy.copy(from: source, to: target)
            }
        }
        try await TestServer.withLoggedInClient(
            "carol", "carol-pw-0001", token: token, directory: directory, users: [:],
            configure: { configuration in
                configuration.store.backend = .postgres
                configuration.store.postgres = location
                configuration.server.instanceId = "after-copy"
            }
        ) { server, _ in
            let muted = try await server.alarm(monitor: 9, event: 300)
            #expect(muted["pushesQueued"] as? Int == 0)
            let report = try await server.alarm(monitor: 2, event: 301)
            #expect(report["pushesQueued"] as? Int == 1)
            let jobs = try await withStore(.postgres(location), instanceId: "reader", logger: logger) { store in try await store.pushJobs() }
            #expect(jobs.map(\.token) == [token])
            #expect(jobs.first?.alarm.eventId == 301)
        }
    }
}
