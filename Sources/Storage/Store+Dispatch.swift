import Foundation
import GRDB
import Model

/// A job taken from the outbox for one attempt, with what the sender needs to know of its device.
public struct ClaimedJob: Sendable, Equatable {
    public var job: PushJob
    public var platform: Platform
    /// The badge this push carries: the device's count plus one, fixed at the first attempt.
    public var badge: Int
    /// Whence `push.max_age` is counted: creation, or the last replay.
    public var agedFrom: Date
}

/// What became of one attempt, as the store records it.
public enum JobResult: Sendable, Equatable {
    case delivered
    case retry(at: Date, reason: String)
    case failed(reason: String)
    /// The token is invalid: the job fails and the device is removed, unless it
    /// registered again after `invalidAt` (APNs' 410 timestamp).
    case tokenGone(reason: String, invalidAt: Date?)
}

extension Store {
    /// Takes up to `limit` due jobs for the given providers. In the same transaction it
    /// marks them claimed, counts the attempt and fixes each job's badge (the device's
    /// stored count plus one), so a crash can repeat a push but never lose one or skip a badge.
    public func claimDueJobs(limit: Int, providers: Set<PushProvider>, at now: Date = Date()) async throws -> [ClaimedJob] {
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
            var jobs: [(job: PushJob, platform: Platform, badge: Int?, agedFrom: Date)] = []
            var orphans: [Int64] = []
            var badgesNeeded: [String: Int] = [:]
            for row in rows {
                guard let job = PushJob(row: row) else { continue }
                let platformText: String? = row[PushJob.columnCount + 2]
                guard let platformText, let platform = Platform(rawValue: platformText) else {
                    orphans.append(job.id)
                    continue
                }
                let stored: DatabaseValue = row[PushJob.columnCount]
                let badge = stored.isNull ? nil : StoredBadge.read(stored)
                if badge == nil { badgesNeeded[job.token, default: 0] += 1 }
                let replayedAt: Double? = row[PushJob.columnCount + 1]
                jobs.append((job, platform, badge, max(job.createdAt, replayedAt.map(Date.init(storeValue:)) ?? job.createdAt)))
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

    /// Records many attempts in one transaction (the dispatcher batches them).
    public func record(_ results: [(jobID: Int64, token: String, result: JobResult)], at now: Date = Date()) async throws {
        guard !results.isEmpty else { return }
        try await pool.write { db in
            let retry = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'retrying', claimed_at = NULL, next_attempt_at = ?, last_error = ? WHERE id = ?")
            let failed = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'failed', claimed_at = NULL, last_error = ?, finished_at = ? WHERE id = ?")
            var delivered: [Int64] = []
            var deliveredTokens: Set<String> = []
            for (jobID, token, result) in results {
                switch result {
                case .delivered:
                    delivered.append(jobID)
                    deliveredTokens.insert(token)
                case .retry(let at, let reason):
                    try retry.execute(arguments: [at.storeValue, reason, jobID])
                case .failed(let reason):
                    try failed.execute(arguments: [reason, now.storeValue, jobID])
                case .tokenGone(let reason, let invalidAt):
                    try failed.execute(arguments: ["token removed: \(reason)", now.storeValue, jobID])
                    if let invalidAt {
                        try db.execute(
                            sql: "DELETE FROM devices WHERE token = ? AND updated_at <= ?", arguments: [token, invalidAt.storeValue])
                    } else {
                        try db.execute(sql: "DELETE FROM devices WHERE token = ?", arguments: [token])
                    }
                }
            }
            // The common case, a batch of deliveries, is two statements however large the batch.
            if !delivered.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = 'delivered', claimed_at = NULL, last_error = NULL, finished_at = ?
                        WHERE id IN (SELECT value FROM json_each(?))
                        """,
                    arguments: [now.storeValue, JSONList.integers(delivered)])
                try db.execute(
                    sql: "UPDATE devices SET last_push_at = ? WHERE token IN (SELECT value FROM json_each(?))",
                    arguments: [now.storeValue, JSONList.strings(deliveredTokens)])
            }
        }
    }

    /// Claims left by a process that died are taken again: run once at start-up.
    @discardableResult
    public func releaseClaims() async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "UPDATE outbox SET claimed_at = NULL WHERE claimed_at IS NOT NULL AND state IN ('queued', 'retrying')")
            return db.changesCount
        }
    }

    /// Claims older than `lease` seconds are released, so a job whose outcome was never recorded
    /// (the store refused the write, a sender never answered) is claimed again rather than kept
    /// until the next restart. The lease must outlast the longest attempt.
    /// - Returns: how many claims were released.
    @discardableResult
    public func releaseExpiredClaims(lease: TimeInterval, at now: Date = Date()) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET claimed_at = NULL
                    WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_claimed WHERE claimed_at IS NOT NULL AND claimed_at < ?)
                      AND state IN ('queued', 'retrying')
                    """,
                arguments: [now.storeValue - lease])
            return db.changesCount
        }
    }

    /// Dead-letters undelivered jobs older than `maxAge` seconds (counted from creation or replay).
    @discardableResult
    public func expireJobs(maxAge: TimeInterval, at now: Date = Date()) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'failed', finished_at = ?,
                        last_error = 'expired: undelivered after ' || CAST(? AS INTEGER) || ' s' || COALESCE(' (last error: ' || last_error || ')', '')
                    WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL AND MAX(created_at, COALESCE(replayed_at, 0)) < ?
                    """,
                arguments: [now.storeValue, maxAge, now.storeValue - maxAge])
            return db.changesCount
        }
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

    /// Puts failed jobs back into the outbox: the given ids, or every failed one (since a time).
    /// - Returns: the jobs requeued, with their providers.
    public func replay(ids: [Int64]? = nil, since: Date? = nil, at now: Date = Date()) async throws -> [PushJob] {
        try await pool.write { db in
            var sql = "SELECT \(PushJob.columns) FROM outbox WHERE state = 'failed'"
            var arguments: StatementArguments = []
            if let ids {
                guard !ids.isEmpty else { return [] }
                sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                _ = arguments.append(contentsOf: StatementArguments(ids))
            }
            if let since {
                sql += " AND created_at >= ?"
                _ = arguments.append(contentsOf: [since.storeValue])
            }
            let jobs = try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(PushJob.init(row:))
            let requeue = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'queued', claimed_at = NULL, next_attempt_at = ?, replayed_at = ?, finished_at = NULL WHERE id = ?")
            for job in jobs {
                try requeue.execute(arguments: [now.storeValue, now.storeValue, job.id])
            }
            return jobs
        }
    }
}
