import Foundation
import GRDB

/// A claim is a lease: the job belongs to one attempt until its outcome is recorded or the
/// lease runs out, so a job is never lost to a process that died or a write that failed.
extension SQLiteStore {
    /// Claims left by a process that died are taken again: run once at start-up.
    @discardableResult
    public func releaseClaims() async throws -> Int {
        try await writeCountingChanges(
            "UPDATE outbox SET claimed_at = NULL WHERE claimed_at IS NOT NULL AND state IN ('queued', 'retrying')")
    }

    /// Claims older than `lease` seconds are released, so a job whose outcome was never recorded
    /// (the store refused the write, a sender never answered) is claimed again rather than kept
    /// until the next restart. The lease must outlast the longest attempt.
    /// - Returns: how many claims were released.
    @discardableResult
    public func releaseExpiredClaims(lease: TimeInterval, at now: Date) async throws -> Int {
        try await writeCountingChanges(
            """
            UPDATE outbox SET claimed_at = NULL
            WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_claimed WHERE claimed_at IS NOT NULL AND claimed_at < ?)
              AND state IN ('queued', 'retrying')
            """,
            arguments: [now.storeValue - lease])
    }
}
