import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    public func replay(ids: [Int64]?, since: Date?, at now: Date) async throws -> [PushJob] {
        if let ids, ids.isEmpty { return [] }
        return try await transaction { connection in
            let jobs = try await connection.rows(
                """
                SELECT \(unescaped: PushJob.columns) FROM outbox
                WHERE state = 'failed' AND (\(ids)::bigint[] IS NULL OR id = ANY(\(ids)::bigint[]))
                  AND (\(since?.storeValue)::float8 IS NULL OR created_at >= \(since?.storeValue)::float8)
                ORDER BY id FOR UPDATE
                """, logger: logger
            ).compactMap(PushJob.init(postgres:))
            guard !jobs.isEmpty else { return [] }
            try await connection.rows(
                """
                UPDATE outbox SET state = 'queued', claimed_at = NULL, claimed_by = NULL, next_attempt_at = \(now.storeValue),
                    replayed_at = \(now.storeValue), finished_at = NULL
                WHERE id = ANY(\(jobs.map(\.id)))
                """, logger: logger)
            try await connection.rows(
                """
                UPDATE credentials SET broken_reason = NULL, broken_at = NULL
                WHERE broken_reason IS NOT NULL AND provider = ANY(\(Array(Set(jobs.map(\.provider.rawValue)))))
                """, logger: logger)
            return jobs
        }
    }
}
