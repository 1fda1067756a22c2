import Foundation
import GRDB
import Model
import Testing

@testable import Storage

/// A badge is bounded (`BadgeCount.range`) when set and saturates when raised; a device row that a
/// bad value reached before the bound (or by hand) is still read and claimed.
@Suite("Store: badge bounds")
struct BadgeBoundsTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-badge-\(UUID().uuidString)/zmes.sqlite").path

    func register(_ store: any Store, _ token: String) async throws {
        try await store.register(DeviceRegistration(token: token, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: ""))
    }

    func queuePushes(_ store: any Store, tokens: [String], events: ClosedRange<Int>) async throws {
        for event in events {
            _ = try await store.recordNotifications(
                for: Alarm(monitorId: 1, monitorName: "Porch", eventId: event, cause: "Motion"),
                candidates: tokens.map { NotificationCandidate(token: $0, interval: 0, provider: .apns) })
        }
    }

    /// SQLite only: the corruptions are SQLite's own (a column of any type); PostgreSQL's `bigint` column cannot hold them.
    @Test("rows corrupted with SQL (Int64.max, Int64.max - 1, REALs, text, a negative) read and claim within the bounds")
    func corruptedRows() async throws {
        let store = try SQLiteStore(path: path)
        let corruptions: [(token: String, sql: String, reads: Int)] = [
            ("max", "9223372036854775807", BadgeCount.range.upperBound),
            ("max-1", "9223372036854775806", BadgeCount.range.upperBound),
            ("real", "9.223372036854776e18", BadgeCount.range.upperBound),
            ("text", "'lots'", 0),
            ("negative", "-5", 0),
            ("infinity", "'1e999'", BadgeCount.range.upperBound),
        ]
        for corruption in corruptions {
            try await register(store, corruption.token)
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE devices SET badge = \(corruption.sql) WHERE token = ?", arguments: [corruption.token])
            }
        }
        let types = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(badge) FROM devices") }
        #expect(Set(types) == ["integer", "real", "text"])  // the corruptions are really there

        for corruption in corruptions {
            #expect(try await store.device(token: corruption.token)?.badge == corruption.reads, "\(corruption.token)")
        }
        #expect(try await store.devices().count == corruptions.count)

        try await queuePushes(store, tokens: corruptions.map(\.token), events: 1...3)
        let claimed = try await store.claimDueJobs(limit: 100, providers: [.apns])
        #expect(claimed.count == corruptions.count * 3)
        #expect(claimed.allSatisfy { BadgeCount.range.contains($0.badge) })
        #expect(claimed.filter { $0.job.token == "text" }.map(\.badge) == [1, 2, 3])
        for corruption in corruptions {
            let badge = try #require(try await store.device(token: corruption.token)?.badge)
            #expect(BadgeCount.range.contains(badge), "\(corruption.token): \(badge)")
        }
        // The column holds integers again.
        let after = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(badge) FROM devices") }
        #expect(after == ["integer"])
    }

    @Test("the count saturates at the top of the range instead of overflowing", arguments: Backend.allCases)
    func saturates(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await register(store, "full")
            try await store.setBadge(BadgeCount.range.upperBound - 1, token: "full")
            try await queuePushes(store, tokens: ["full"], events: 1...3)
            let claimed = try await store.claimDueJobs(limit: 100, providers: [.apns])
            #expect(claimed.count == 3)
            #expect(claimed.allSatisfy { $0.badge <= BadgeCount.range.upperBound && $0.badge >= BadgeCount.range.upperBound - 3 })
            #expect(try await store.device(token: "full")?.badge == BadgeCount.range.upperBound)

            // A value beyond the range given to the store directly (e.g. an import) is held within it.
            #expect(try await store.setBadge(Int.max, token: "full"))
            #expect(try await store.device(token: "full")?.badge == BadgeCount.range.upperBound)
            #expect(try await store.setBadge(-3, token: "full"))
            #expect(try await store.device(token: "full")?.badge == 0)
        }
    }
}
