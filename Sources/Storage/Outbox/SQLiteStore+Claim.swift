import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Takes up to `limit` due jobs for the given providers. In the same transaction it
    /// marks them claimed, counts the attempt and fixes each job's badge (the device's
    /// stored count plus one), so a crash can repeat a push but never lose one or skip a badge.
    public func claimDueJobs(limit: Int, providers: Set<PushProvider>, at now: Date) async throws -> [ClaimedJob] {
        guard limit > 0, !providers.isEmpty else { return [] }
        return try await pool.write { db in
            let placeholders = providers.map { _ in "?" }.joined(separator: ",")
            var arguments: StatementArguments = [now.storeValue]
            _ = arguments.append(contentsOf: StatementArguments(providers.map(\.rawValue)))
            _ = arguments.append(contentsOf: [limit])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.claimColumns), o.badge, o.replayed_at, d.platform FROM outbox o INDEXED BY outbox_claimable
                    LEFT JOIN devices d ON d.token = o.token
                    WHERE o.state IN ('queued', 'retrying') AND o.claimed_at IS NULL AND o.next_attempt_at <= ?
                      AND o.provider IN (\(placeholders))
                    ORDER BY o.next_attempt_at, o.id LIMIT ?
                    """,
                arguments: arguments)
            var jobs: [(job: PushJob, platform: Platform?, badge: Int?, agedFrom: Date)] = []
            var orphans: [Int64] = []
            var badgesNeeded: [String: Int] = [:]
            for row in rows {
                guard let job = PushJob(row: row) else { continue }
                let replayedAt: Double? = row[PushJob.columnCount + 1]
                let agedFrom = max(job.createdAt, replayedAt.map(Date.init(storeValue:)) ?? job.createdAt)
                // A job without a device (MQTT: its token is a broker's name) has no platform and no badge.
                guard job.provider.hasDevice else {
                    jobs.append((job, nil, 0, agedFrom))
                    continue
                }
                let platformText: String? = row[PushJob.columnCount + 2]
                guard let platformText, let platform = Platform(rawValue: platformText) else {
                    orphans.append(job.id)
                    continue
                }
                let stored: DatabaseValue = row[PushJob.columnCount]
                let badge = stored.isNull ? nil : StoredBadge.read(stored)
                if badge == nil { badgesNeeded[job.token, default: 0] += 1 }
                jobs.append((job, platform, badge, agedFrom))
            }
            if !orphans.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = 'failed', last_error = 'the device was removed', finished_at = ?
                        WHERE id IN (SELECT value FROM json_each(?))
                        """,
                    arguments: [now.storeValue, JSONList.integers(orphans)])
            }
            // Each device's count goes up once per job; its jobs get the counts in order.
            var nextBadge = try Self.raiseBadges(db, by: badgesNeeded)
            var claimed: [ClaimedJob] = []
            claimed.reserveCapacity(jobs.count)
            var assignments: [(id: Int64, badge: Int)] = []
            for (job, platform, storedBadge, agedFrom) in jobs {
                var badge = storedBadge ?? 1
                if storedBadge == nil, let next = nextBadge[job.token] {
                    badge = next
                    nextBadge[job.token] = BadgeCount.incremented(next)
                }
                assignments.append((job.id, badge))
                var claimedJob = job
                claimedJob.attempts += 1
                claimed.append(ClaimedJob(job: claimedJob, platform: platform, badge: badge, agedFrom: agedFrom))
            }
            if !assignments.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE outbox SET claimed_at = ?, attempts = attempts + 1, badge = j.value
                        FROM (SELECT CAST(key AS INTEGER) AS id, value FROM json_each(?)) AS j
                        WHERE outbox.id = j.id
                        """,
                    arguments: [now.storeValue, JSONList.object(assignments.map { (String($0.id), $0.badge) })])
            }
            return claimed
        }
    }

    private static let claimColumns = PushJob.columns(of: "o")

    /// Adds `count` to each device's badge in one statement, saturating at `BadgeCount.range`'s top.
    /// - Returns: each device's first new badge (old count plus one; lower when it saturated).
    private static func raiseBadges(_ db: Database, by counts: [String: Int]) throws -> [String: Int] {
        guard !counts.isEmpty else { return [:] }
        var first: [String: Int] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                UPDATE devices SET badge = \(StoredBadge.raisedSQL("badge", by: "j.value")) FROM json_each(?) AS j WHERE devices.token = j.key
                RETURNING devices.token, devices.badge
                """,
            arguments: [JSONList.object(counts.map { ($0.key, $0.value) })])
        while let row = try rows.next() {
            let token: String = row[0]
            let badge = StoredBadge.read(row[1])
            first[token] = BadgeCount.clamped(badge - (counts[token] ?? 1) + 1)
        }
        return first
    }

    /// When the next retry falls due, so the dispatcher can sleep until then.
    public func nextDueTime(providers: Set<PushProvider>) async throws -> Date? {
        guard !providers.isEmpty else { return nil }
        return try await pool.read { db in
            let placeholders = providers.map { _ in "?" }.joined(separator: ",")
            let value = try Double.fetchOne(
                db,
                sql: "SELECT MIN(next_attempt_at) FROM outbox INDEXED BY outbox_claimable WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL AND provider IN (\(placeholders))",
                arguments: StatementArguments(providers.map(\.rawValue)))
            return value.map(Date.init(storeValue:))
        }
    }
}
