import EventServer
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

    @Test("on a shared store the console's Pushes page names the instance that holds a claimed push")
    func consoleShowsClaimant() async throws {
        let postgres = try PostgresServer.shared()
        let location = PostgresLocation(
            host: "127.0.0.1", port: postgres.port, user: PostgresServer.superuser, database: try postgres.createDatabase(), tls: .disable)
        var logger = Logger(label: "zmes-test")
        logger.logLevel = .critical
        let token = String(repeating: "d4", count: 32)
        // Another instance, "instance-b", queued an APNs push and claimed it (this server has no APNs credentials, so it claims none).
        let claimed = try await withStore(.postgres(location), instanceId: "instance-b", logger: logger) { store in
            try await store.saveUser(User(name: "ops", passwordHash: await PasswordHasher.hash("ops-pw", cost: 4), monitors: .all, isAdmin: true))
            try await store.register(DeviceRegistration(token: token, user: "ops", platform: .ios, state: .enabled, filter: nil, appVersion: "1.8.001"))
            _ = try await store.recordNotifications(
                for: Alarm(monitorId: 1, monitorName: "Porch", eventId: 77, cause: "Motion"),
                candidates: [NotificationCandidate(token: token, interval: 0, provider: .apns)])
            return try await store.claimDueJobs(limit: 10, providers: [.apns], at: Date())
        }
        let job = try #require(claimed.first?.job)
        try await TestServer.withServer(configure: { configuration in
            configuration.store.backend = .postgres
            configuration.store.postgres = location
            configuration.server.instanceId = "instance-a"
        }) { server in
            var browser = ConsoleAccessTests.Browser(port: server.ports.admin)
            #expect(try await browser.login("ops", "ops-pw").status == 303)
            let page = try await browser.send("/pushes").bodyText
            #expect(page.contains("<th scope=\"col\">Held by</th>"))
            let row = try #require(page.range(of: "<tr id=\"push-\(job.id)\">"))
            let end = try #require(page[row.upperBound...].range(of: "</tr>"))
            let cells = page[row.upperBound..<end.lowerBound]
            #expect(cells.contains("<td class=\"held-by\">instance-b</td>"), "row: \(cells)")
        }
    }
}
