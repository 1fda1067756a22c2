import Foundation
import PostgresNIO

extension PostgresStore {
    @discardableResult
    public func deleteFinishedJobs(finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        return try await rows(
            """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox WHERE state IN ('delivered', 'failed') AND finished_at < \(cutoff.storeValue)
                ORDER BY finished_at LIMIT \(limit))
            RETURNING 1
            """
        ).count
    }
}
