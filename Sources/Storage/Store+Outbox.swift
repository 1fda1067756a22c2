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
                db, sql: "SELECT \(PushJob.columns) FROM outbox \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments
            ).compactMap(PushJob.init(row:))
        }
    }

    /// How many jobs are in each state, for health and metrics: read from the counts the
    /// outbox's triggers keep (``OutboxRetentionSchema``), not by counting the outbox.
    public func outboxCounts() async throws -> [PushJobState: Int] {
        try await pool.read { db in
            var counts: [PushJobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, n FROM outbox_counts WHERE n > 0") {
                if let state = PushJobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }
}

extension PushJob {
    /// The columns `init(row:)` reads, in its order. Rows are decoded by position: looking
    /// columns up by name costs more than the rest of a claim.
    static let columns = """
        id, token, provider, state, attempts, next_attempt_at, last_error, monitor_id, monitor_name,
        event_id, cause, kind, alarm_time, source, created_at
        """
    static let columnCount = 15

    /// Prefix each column of `columns` with a table alias.
    static func columns(of alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }

    /// A row selected with `columns` first (more columns may follow).
    init?(row: Row) {
        guard let provider = PushProvider(rawValue: row[2]),
            let state = PushJobState(rawValue: row[3]),
            let kind = AlarmKind(rawValue: row[11])
        else { return nil }
        self.init(
            id: row[0],
            token: row[1],
            provider: provider,
            state: state,
            attempts: row[4],
            nextAttemptAt: Date(storeValue: row[5]),
            lastError: row[6],
            alarm: Alarm(
                monitorId: row[7], monitorName: row[8], eventId: row[9],
                cause: row[10], kind: kind, time: Date(storeValue: row[12]), source: row[13]),
            createdAt: Date(storeValue: row[14]))
    }
}
