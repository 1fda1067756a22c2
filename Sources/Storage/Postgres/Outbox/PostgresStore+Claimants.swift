import PostgresNIO

extension PostgresStore {
    /// Which instance holds each of the jobs that is claimed now (`outbox.claimed_by`); unclaimed jobs are absent.
    public func claimants(of jobIDs: [Int64]) async throws -> [Int64: String] {
        var claimants: [Int64: String] = [:]
        for row in try await rows("SELECT id, claimed_by FROM outbox WHERE id = ANY(\(jobIDs)) AND claimed_by IS NOT NULL") {
            let (id, instance) = try row.decode((Int64, String).self)
            claimants[id] = instance
        }
        return claimants
    }
}
