import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    /// As ``SQLiteStore``'s, for several instances at once: due rows are locked with
    /// `FOR UPDATE SKIP LOCKED`, so two instances claiming together take different jobs and
    /// neither waits; each claimed row records the instance (`claimed_by`) and the time
    /// (`claimed_at`, the start of its lease). Badges are raised by one `UPDATE` on rows locked in
    /// token order, so concurrent claims for one device get consecutive counts and never deadlock.
    public func claimDueJobs(limit: Int, providers: Set<PushProvider>, at now: Date) async throws -> [ClaimedJob] {
        guard limit > 0, !providers.isEmpty else { return [] }
        return try await transaction { connection in
            let rows = try await connection.rows(
                """
                WITH picked AS (
                    SELECT id FROM outbox
                    WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL AND next_attempt_at <= \(now.storeValue)
                      AND provider = ANY(\(providers.map(\.rawValue)))
                    ORDER BY next_attempt_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                SELECT \(unescaped: Self.claimColumns), o.badge, o.replayed_at, d.platform
                FROM outbox o JOIN picked p ON p.id = o.id LEFT JOIN devices d ON d.token = o.token
                ORDER BY o.next_attempt_at, o.id
                """, logger: logger)
            var jobs: [(job: PushJob, platform: Platform?, badge: Int?, agedFrom: Date)] = []
            var orphans: [Int64] = []
            var badgesNeeded: [String: Int] = [:]
            for row in rows {
                guard let job = try PushJob(postgres: row) else { continue }
                let cells = row.makeRandomAccess()
                let replayedAt = try cells[PushJob.columnCount + 1].decode(Double?.self)
                let agedFrom = max(job.createdAt, replayedAt.map(Date.init(storeValue:)) ?? job.createdAt)
                guard job.provider.hasDevice else {
                    jobs.append((job, nil, 0, agedFrom))
                    continue
                }
                guard let platformText = try cells[PushJob.columnCount + 2].decode(String?.self),
                    let platform = Platform(rawValue: platformText)
                else {
                    orphans.append(job.id)
                    continue
                }
                let badge = try cells[PushJob.columnCount].decode(Int?.self).map(BadgeCount.clamped)
                if badge == nil { badgesNeeded[job.token, default: 0] += 1 }
                jobs.append((job, platform, badge, agedFrom))
            }
            if !orphans.isEmpty {
                try await connection.rows(
                    """
                    UPDATE outbox SET state = 'failed', last_error = 'the device was removed', finished_at = \(now.storeValue)
                    WHERE id = ANY(\(orphans))
                    """, logger: logger)
            }
            var nextBadge = try await raiseBadges(by: badgesNeeded, connection)
            var claimed: [ClaimedJob] = []
            claimed.reserveCapacity(jobs.count)
            var ids: [Int64] = []
            var badges: [Int64] = []
            for (job, platform, storedBadge, agedFrom) in jobs {
                var badge = storedBadge ?? 1
                if storedBadge == nil, let next = nextBadge[job.token] {
                    badge = next
                    nextBadge[job.token] = BadgeCount.incremented(next)
                }
                ids.append(job.id)
                badges.append(Int64(badge))
                var claimedJob = job
                claimedJob.attempts += 1
                claimed.append(ClaimedJob(job: claimedJob, platform: platform, badge: badge, agedFrom: agedFrom))
            }
            if !ids.isEmpty {
                try await connection.rows(
                    """
                    UPDATE outbox o SET claimed_at = \(now.storeValue), claimed_by = \(instanceId), attempts = o.attempts + 1, badge = u.badge
                    FROM unnest(\(ids)::bigint[], \(badges)::bigint[]) AS u(id, badge) WHERE o.id = u.id
                    """, logger: logger)
            }
            return claimed
        }
    }

    private static let claimColumns = PushJob.columns(of: "o")

    /// Adds `count` to each device's badge, saturating at `BadgeCount.range`'s top (a stored value
    /// out of range is first held within it, as SQLite's `StoredBadge.raisedSQL` does).
    /// - Returns: each device's first new badge (old count plus one; lower when it saturated).
    private func raiseBadges(by counts: [String: Int], _ connection: PostgresConnection) async throws -> [String: Int] {
        guard !counts.isEmpty else { return [:] }
        let tokens = counts.keys.sorted()
        try await lockDevices(tokens, connection)
        let upper = BadgeCount.range.upperBound
        var first: [String: Int] = [:]
        for row in try await connection.rows(
            """
            UPDATE devices d SET badge = LEAST(LEAST(GREATEST(d.badge, 0), \(upper)) + u.n, \(upper))
            FROM unnest(\(tokens)::text[], \(tokens.map { Int64(counts[$0] ?? 1) })::bigint[]) AS u(token, n)
            WHERE d.token = u.token
            RETURNING d.token, d.badge
            """, logger: logger)
        {
            let (token, badge) = try row.decode((String, Int).self)
            first[token] = BadgeCount.clamped(BadgeCount.clamped(badge) - (counts[token] ?? 1) + 1)
        }
        return first
    }

    /// Locks the devices' rows in token order: every transaction that changes several devices
    /// takes them in this order first, so two of them never wait for each other in a cycle.
    func lockDevices(_ sortedTokens: [String], _ connection: PostgresConnection) async throws {
        guard !sortedTokens.isEmpty else { return }
        try await connection.rows(
            #"SELECT 1 FROM devices WHERE token = ANY(\#(sortedTokens)) ORDER BY token COLLATE "C" FOR UPDATE"#, logger: logger)
    }

    public func nextDueTime(providers: Set<PushProvider>) async throws -> Date? {
        guard !providers.isEmpty else { return nil }
        return try await rows(
            """
            SELECT MIN(next_attempt_at) FROM outbox
            WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL AND provider = ANY(\(providers.map(\.rawValue)))
            """
        ).first?.decode(Double?.self).map(Date.init(storeValue:))
    }
}
