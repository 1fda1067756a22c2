import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    public func importPendingJobs(_ jobs: [PushJob]) async throws {
        guard !jobs.isEmpty else { return }
        try await transaction { connection in
            for job in jobs {
                let alarm = job.alarm
                let detection = alarm.detection.flatMap(StoredDetection.text)
                try await connection.rows(
                    """
                    INSERT INTO outbox (token, provider, state, attempts, next_attempt_at, last_error, monitor_id, monitor_name,
                        event_id, cause, kind, alarm_time, source, created_at, critical, detection, badge)
                    VALUES (\(job.token), \(job.provider.rawValue), \(job.state.rawValue), \(job.attempts),
                        \(job.nextAttemptAt.storeValue), \(job.lastError)::text, \(alarm.monitorId), \(alarm.monitorName),
                        \(alarm.eventId), \(alarm.cause), \(alarm.kind.rawValue), \(alarm.time.storeValue), \(alarm.source),
                        \(job.createdAt.storeValue), \(alarm.critical), \(detection)::text,
                        CASE WHEN \(job.attempts)::bigint > 0 AND \(job.provider.hasDevice)::boolean
                            THEN (SELECT badge FROM devices WHERE token = \(job.token)) END)
                    """, logger: logger)
            }
        }
    }
}
