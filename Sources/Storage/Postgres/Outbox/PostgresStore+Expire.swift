import Foundation
import PostgresNIO

extension PostgresStore {
    @discardableResult
    public func expireJobs(maxAge: TimeInterval, at now: Date) async throws -> Int {
        try await rows(
            """
            UPDATE outbox SET state = 'failed', finished_at = \(now.storeValue),
                last_error = 'expired: undelivered after ' || trunc(\(maxAge)::float8)::bigint || ' s'
                    || COALESCE(' (last error: ' || last_error || ')', '')
            WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL
              AND GREATEST(created_at, COALESCE(replayed_at, 0)) < \(now.storeValue - maxAge)
            RETURNING 1
            """
        ).count
    }
}
