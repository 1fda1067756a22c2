import Foundation
import GRDB
import Model

extension SQLiteStore {
    public func pushJobs(matching query: PushJobQuery, limit: Int) async throws -> [PushJob] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state = query.state {
                conditions.append("state = ?")
                _ = arguments.append(contentsOf: [state.rawValue])
            }
            if let provider = query.provider {
                conditions.append("provider = ?")
                _ = arguments.append(contentsOf: [provider.rawValue])
            }
            if !query.tokenPrefix.isEmpty {
                // Compared as text, not LIKE: a prefix holding % or _ means those characters.
                conditions.append("substr(token, 1, ?) = ?")
                _ = arguments.append(contentsOf: [query.tokenPrefix.unicodeScalars.count, query.tokenPrefix])
            }
            if let since = query.since {
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
