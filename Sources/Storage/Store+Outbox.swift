import Foundation
import GRDB
import Model

extension Store {
    /// The outbox, newest first, optionally only one state and only jobs created since a time.
    public func pushJobs(state: PushJobState? = nil, since: Date? = nil, limit: Int = 10_000) async throws -> [PushJob] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state {
                conditions.append("state = ?")
                _ = arguments.append(contentsOf: [state.rawValue])
            }
            if let since {
                conditions.append("created_at >= ?")
                _ = arguments.append(contentsOf: [since.storeValue])
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(
                db, sql: "SELECT * FROM outbox \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments
            ).compactMap(PushJob.init(row:))
        }
    }

    /// How many jobs are in each state, for health and metrics.
    public func outboxCounts() async throws -> [PushJobState: Int] {
        try await pool.read { db in
            var counts: [PushJobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let state = PushJobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }
}

extension PushJob {
    init?(row: Row) {
        guard let provider = PushProvider(rawValue: row["provider"]),
            let state = PushJobState(rawValue: row["state"]),
            let kind = AlarmKind(rawValue: row["kind"])
        else { return nil }
        self.init(
            id: row["id"],
            token: row["token"],
            provider: provider,
            state: state,
            attempts: row["attempts"],
            nextAttemptAt: Date(storeValue: row["next_attempt_at"]),
            lastError: row["last_error"],
            alarm: Alarm(
                monitorId: row["monitor_id"], monitorName: row["monitor_name"], eventId: row["event_id"],
                cause: row["cause"], kind: kind, time: Date(storeValue: row["alarm_time"]), source: row["source"]),
            createdAt: Date(storeValue: row["created_at"]))
    }
}
