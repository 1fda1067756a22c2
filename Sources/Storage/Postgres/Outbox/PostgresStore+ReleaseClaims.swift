import Foundation
import PostgresNIO

/// Claims are leases (`claimed_at` plus the lease the dispatcher sweeps with), as in SQLite. With
/// several instances, the start-up release takes back only this instance's own claims: another
/// instance's are live. Claims of an instance that died are released by the lease sweep of any
/// instance still running.
extension PostgresStore {
    @discardableResult
    public func releaseClaims() async throws -> Int {
        try await rows(
            """
            UPDATE outbox SET claimed_at = NULL, claimed_by = NULL
            WHERE claimed_by = \(instanceId) AND claimed_at IS NOT NULL AND state IN ('queued', 'retrying') RETURNING 1
            """
        ).count
    }

    @discardableResult
    public func releaseExpiredClaims(lease: TimeInterval, at now: Date) async throws -> Int {
        try await rows(
            """
            UPDATE outbox SET claimed_at = NULL, claimed_by = NULL
            WHERE claimed_at IS NOT NULL AND claimed_at < \(now.storeValue - lease) AND state IN ('queued', 'retrying') RETURNING 1
            """
        ).count
    }
}
