import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Records many attempts in one transaction (the dispatcher batches them).
    public func record(_ results: [(jobID: Int64, token: String, result: JobResult)], at now: Date) async throws {
        guard !results.isEmpty else { return }
        try await pool.write { db in
            let retry = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'retrying', claimed_at = NULL, next_attempt_at = ?, last_error = ? WHERE id = ?")
            let failed = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'failed', claimed_at = NULL, last_error = ?, finished_at = ? WHERE id = ?")
            var delivered: [Int64] = []
            for (jobID, token, result) in results {
                switch result {
                case .delivered:
                    delivered.append(jobID)
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
                // Only jobs of a device mark it: an MQTT job's token is a broker's name.
                try db.execute(
                    sql: """
                        UPDATE devices SET last_push_at = ? WHERE token IN (
                            SELECT token FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND provider <> 'mqtt')
                        """,
                    arguments: [now.storeValue, JSONList.integers(delivered)])
            }
        }
    }
}
