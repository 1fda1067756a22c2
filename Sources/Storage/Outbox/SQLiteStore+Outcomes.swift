import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Delivered and failed pushes per minute since `since` (minutes with none are absent), read through the
    /// retention index on `finished_at`.
    public func outcomesPerMinute(since: Date) async throws -> [OutcomeCount] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST(finished_at / 60 AS INTEGER) AS minute, state, COUNT(*) AS count FROM outbox
                    WHERE state IN ('delivered', 'failed') AND finished_at >= ? GROUP BY minute, state
                    """,
                arguments: [since.storeValue]
            ).compactMap { row in
                PushJobState(rawValue: row["state"]).map { OutcomeCount(minute: row["minute"], state: $0, count: row["count"]) }
            }
        }
    }
}
