import Foundation
import Logging
import Model
import Storage
import Testing
import ZmesTestSupport

@Suite("zmes serve on PostgreSQL")
struct PostgresServeTests {
    @Test("a server on a PostgreSQL store logs its users in, queues an alarm's push there, and lists it through the admin API")
    func serveOnPostgres() async throws {
        let postgres = try PostgresServer.shared()
        let location = PostgresLocation(
            host: "127.0.0.1", port: postgres.port, user: PostgresServer.superuser, database: try postgres.createDatabase(), tls: .disable)
        let token = String(repeating: "c3", count: 32)
        try await TestServer.withLoggedInClient(token: token, configure: { configuration in
            configuration.store.backend = .postgres
            configuration.store.postgres = location
            configuration.server.instanceId = "serve-test"
        }) { server, client in
            try await client.registerDevice(token: token, state: "enabled")
            let report = try await server.alarm(monitor: 2, event: 200)
            #expect(report["pushesQueued"] as? Int == 1)
            var logger = Logger(label: "zmes-test")
            logger.logLevel = .critical
            let jobs = try await withStore(.postgres(location), instanceId: "reader", logger: logger) { store in try await store.pushJobs() }
            #expect(jobs.map(\.token) == [token])
            #expect(jobs.first?.alarm.eventId == 200)
            let (status, body) = try await server.get("/api/v1/pushes?state=queued")
            #expect(status == 200)
            let listed = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
            #expect(listed.first?["token"] as? String == token)
        }
    }
}
