import Foundation
import GRDB

extension SQLiteStore {
    /// Dead-letters undelivered jobs older than `maxAge` seconds (`push.max_age`, counted from
    /// creation or replay): a push that late would be noise, and the failure shows in `push list`.
    @discardableResult
    public func expireJobs(maxAge: TimeInterval, at now: Date) async throws -> Int {
        try await writeCountingChanges(
            """
            UPDATE outbox SET state = 'failed', finished_at = ?,
                last_error = 'expired: undelivered after ' || CAST(? AS INTEGER) || ' s' || COALESCE(' (last error: ' || last_error || ')', '')
            WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL AND MAX(created_at, COALESCE(replayed_at, 0)) < ?
            """,
            arguments: [now.storeValue, maxAge, now.storeValue - maxAge])
    }
}
