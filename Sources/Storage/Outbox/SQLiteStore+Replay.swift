import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Puts dead-lettered jobs back into the outbox: the given ids, or every failed one (since a
    /// time). They go through the same rules as new ones, `push.max_age` counted from the replay.
    /// In the same transaction it lifts the broken mark of the credentials of their providers, so
    /// those are tried once more. Used by `zmes push replay` and `POST /api/v1/pushes/replay`.
    /// - Returns: the jobs requeued, with their providers.
    public func replay(ids: [Int64]?, since: Date?, at now: Date) async throws -> [PushJob] {
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
            let providers = Set(jobs.map(\.provider.rawValue))
            if !providers.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE credentials SET broken_reason = NULL, broken_at = NULL
                        WHERE broken_reason IS NOT NULL AND provider IN (SELECT value FROM json_each(?))
                        """,
                    arguments: [JSONList.strings(providers)])
            }
            return jobs
        }
    }
}
