import Foundation
import GRDB
import Model

extension SQLiteStore {
    public func importPendingJobs(_ jobs: [PushJob]) async throws {
        guard !jobs.isEmpty else { return }
        try await pool.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO outbox (token, provider, state, attempts, next_attempt_at, last_error, monitor_id, monitor_name,
                    event_id, cause, kind, alarm_time, source, created_at, critical, detection, badge)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    CASE WHEN ?4 > 0 AND ?2 != 'mqtt' THEN (SELECT badge FROM devices WHERE token = ?1) END)
                """)
            for job in jobs {
                let alarm = job.alarm
                try insert.execute(arguments: [
                    job.token, job.provider.rawValue, job.state.rawValue, job.attempts, job.nextAttemptAt.storeValue, job.lastError,
                    alarm.monitorId, alarm.monitorName, alarm.eventId, alarm.cause, alarm.kind.rawValue, alarm.time.storeValue,
                    alarm.source, job.createdAt.storeValue, alarm.critical, alarm.detection.flatMap(StoredDetection.text),
                ])
            }
        }
    }
}
