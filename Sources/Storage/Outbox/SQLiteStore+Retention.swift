import Foundation
import GRDB

/// Keeps the outbox bounded (`push.retention`); the index and per-state counts it relies on
/// are ``OutboxRetentionSchema``.
extension SQLiteStore {
    /// Deletes at most `limit` delivered or failed jobs that finished before `cutoff`, in one
    /// short transaction, oldest first. Queued and retrying jobs are never touched; a failed job
    /// replayed is queued again and so kept.
    /// - Returns: how many were deleted (fewer than `limit`: nothing older is left).
    @discardableResult
    public func deleteFinishedJobs(finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        return try await writeCountingChanges(
            """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox INDEXED BY outbox_finished
                WHERE state IN ('delivered', 'failed') AND finished_at < ?
                ORDER BY finished_at LIMIT ?)
            """,
            arguments: [cutoff.storeValue, limit])
    }
}
