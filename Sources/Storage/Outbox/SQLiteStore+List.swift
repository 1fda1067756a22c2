import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// The outbox, newest first, optionally only one state and only jobs created since a time.
    public func pushJobs(state: PushJobState?, since: Date?, limit: Int) async throws -> [PushJob] {
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

extension SQLiteStore {
    /// One file, one instance: there is no other to tell apart.
    public func claimants(of jobIDs: [Int64]) async throws -> [Int64: String] { [:] }
}
