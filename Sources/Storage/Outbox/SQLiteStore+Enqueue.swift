import Foundation
import GRDB
import Model

/// One alarm's notifications, as ``SQLiteStore/recordNotifications(for:candidates:mqttBrokers:at:)`` takes them.
struct NotificationWrite: Sendable {
    var alarm: Alarm
    var candidates: [NotificationCandidate]
    var mqttBrokers: [String]
    var now: Date
}

extension SQLiteStore {
    /// Enqueues an alarm's pushes: applies ``NotificationRule`` and records the outcome in one
    /// transaction, so the last-notified times and the outbox jobs land together or not at all.
    /// Alarms recorded at the same time share the transaction (``GroupCommit``), each in a savepoint
    /// of its own, so a burst of alarms is not one transaction each.
    ///
    /// The last notification of each candidate is read by primary key, so the cost grows
    /// with the candidates, not with every device ever notified for the monitor.
    ///
    /// `mqttBrokers` get one job each (provider `mqtt`, the broker's name as token) in the same
    /// transaction. They are not devices: the notification rule does not apply to them, every alarm goes.
    /// - Returns: the tokens notified.
    public func recordNotifications(
        for alarm: Alarm,
        candidates: [NotificationCandidate],
        mqttBrokers: [String],
        at now: Date
    ) async throws -> Set<String> {
        guard !candidates.isEmpty || !mqttBrokers.isEmpty else { return [] }
        return try await notificationCommits.submit(NotificationWrite(alarm: alarm, candidates: candidates, mqttBrokers: mqttBrokers, now: now))
    }

    /// Commits alarms' notifications in one transaction, each alarm in its own savepoint: one that
    /// fails undoes only its own rows. When the transaction itself fails, every alarm fails with it.
    static func commitNotifications(_ writes: [NotificationWrite], in pool: DatabasePool) async -> [Result<Set<String>, any Error>] {
        do {
            return try await pool.write { db in
                writes.map { write in
                    var outcome: Result<Set<String>, any Error> = .success([])
                    do {
                        try db.inSavepoint {
                            outcome = .success(try recordNotifications(write, in: db))
                            return .commit
                        }
                    } catch {
                        outcome = .failure(error)
                    }
                    return outcome
                }
            }
        } catch {
            return writes.map { _ in .failure(error) }
        }
    }

    private static func recordNotifications(_ write: NotificationWrite, in db: Database) throws -> Set<String> {
        let (alarm, candidates, mqttBrokers, now) = (write.alarm, write.candidates, write.mqttBrokers, write.now)
        var notified = Set<String>()
        let detection = alarm.detection.map(StoredDetection.text)
        let last = try db.cachedStatement(
            sql: "SELECT event_id, occurrence, notified_at FROM notifications WHERE token = ? AND monitor_id = ?")
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO notifications (token, monitor_id, event_id, occurrence, notified_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(token, monitor_id) DO UPDATE SET event_id = excluded.event_id,
                occurrence = excluded.occurrence, notified_at = excluded.notified_at
            """)
        let enqueue = try db.cachedStatement(sql: """
            INSERT INTO outbox (token, provider, state, attempts, next_attempt_at, monitor_id, monitor_name,
                event_id, cause, kind, alarm_time, source, created_at, critical, detection)
            VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for candidate in candidates {
            let previous = try Row.fetchOne(last, arguments: [candidate.token, alarm.monitorId]).map { row in
                LastNotification(
                    eventId: row[0], occurrence: row[1], at: Date(storeValue: row[2]))
            }
            guard case .send(let record) = NotificationRule.decide(
                alarm, previous: previous, interval: candidate.interval, now: now)
            else { continue }
            if let record {
                try upsert.execute(arguments: [
                    candidate.token, alarm.monitorId, record.eventId, record.occurrence, record.at.storeValue,
                ])
            }
            notified.insert(candidate.token)
            if let provider = candidate.provider {
                try enqueue.execute(arguments: [
                    candidate.token, provider.rawValue, now.storeValue, alarm.monitorId, alarm.monitorName,
                    alarm.eventId, alarm.cause, alarm.kind.rawValue, alarm.time.storeValue, alarm.source,
                    now.storeValue, alarm.critical, detection,
                ])
            }
        }
        for broker in mqttBrokers {
            try enqueue.execute(arguments: [
                broker, PushProvider.mqtt.rawValue, now.storeValue, alarm.monitorId, alarm.monitorName,
                alarm.eventId, alarm.cause, alarm.kind.rawValue, alarm.time.storeValue, alarm.source,
                now.storeValue, alarm.critical, detection,
            ])
        }
        return notified
    }
}
