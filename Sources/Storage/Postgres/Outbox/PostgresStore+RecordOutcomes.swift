import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    /// As ``SQLiteStore``'s: many attempts in one transaction, a few statements however large the batch.
    public func record(_ results: [(jobID: Int64, token: String, result: JobResult)], at now: Date) async throws {
        guard !results.isEmpty else { return }
        var retries: (ids: [Int64], times: [Double], reasons: [String]) = ([], [], [])
        var failures: (ids: [Int64], reasons: [String]) = ([], [])
        var gone: [(token: String, invalidAt: Date?)] = []
        var delivered: [Int64] = []
        var deviceTokens = Set<String>()
        for (jobID, token, result) in results {
            switch result {
            case .delivered:
                delivered.append(jobID)
                deviceTokens.insert(token)
            case .retry(let at, let reason):
                retries.ids.append(jobID)
                retries.times.append(at.storeValue)
                retries.reasons.append(reason)
            case .failed(let reason):
                failures.ids.append(jobID)
                failures.reasons.append(reason)
            case .tokenGone(let reason, let invalidAt):
                failures.ids.append(jobID)
                failures.reasons.append("token removed: \(reason)")
                gone.append((token, invalidAt))
                deviceTokens.insert(token)
            }
        }
        try await transaction { connection in
            try await lockDevices(deviceTokens.sorted(), connection)
            if !retries.ids.isEmpty {
                try await connection.rows(
                    """
                    UPDATE outbox o SET state = 'retrying', claimed_at = NULL, claimed_by = NULL, next_attempt_at = u.at, last_error = u.reason
                    FROM unnest(\(retries.ids)::bigint[], \(retries.times)::float8[], \(retries.reasons)::text[]) AS u(id, at, reason)
                    WHERE o.id = u.id
                    """, logger: logger)
            }
            if !failures.ids.isEmpty {
                try await connection.rows(
                    """
                    UPDATE outbox o SET state = 'failed', claimed_at = NULL, claimed_by = NULL, last_error = u.reason,
                        finished_at = \(now.storeValue)
                    FROM unnest(\(failures.ids)::bigint[], \(failures.reasons)::text[]) AS u(id, reason)
                    WHERE o.id = u.id
                    """, logger: logger)
            }
            for (token, invalidAt) in gone {
                if let invalidAt {
                    try await connection.rows(
                        "DELETE FROM devices WHERE token = \(token) AND updated_at <= \(invalidAt.storeValue)", logger: logger)
                } else {
                    try await connection.rows("DELETE FROM devices WHERE token = \(token)", logger: logger)
                }
            }
            if !delivered.isEmpty {
                try await connection.rows(
                    """
                    UPDATE outbox SET state = 'delivered', claimed_at = NULL, claimed_by = NULL, last_error = NULL,
                        finished_at = \(now.storeValue)
                    WHERE id = ANY(\(delivered))
                    """, logger: logger)
                // Only jobs of a device mark it: an MQTT job's token is a broker's name.
                try await connection.rows(
                    """
                    UPDATE devices SET last_push_at = \(now.storeValue) WHERE token IN (
                        SELECT token FROM outbox WHERE id = ANY(\(delivered)) AND provider <> 'mqtt')
                    """, logger: logger)
            }
        }
    }
}
