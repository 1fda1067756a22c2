import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    /// As ``SQLiteStore``'s: the rule and the jobs in one transaction. Where SQLite has one writer,
    /// two instances may route alarms of one monitor at once: a transaction-scoped advisory lock
    /// per monitor makes them take turns, so each reads the last notification the other wrote and
    /// an event is notified once (the rule needs the previous row, which a unique constraint alone
    /// cannot give).
    public func recordNotifications(
        for alarm: Alarm, candidates: [NotificationCandidate], mqttBrokers: [String], at now: Date
    ) async throws -> Set<String> {
        guard !candidates.isEmpty || !mqttBrokers.isEmpty else { return [] }
        return try await transaction { connection in
            try await connection.rows(
                "SELECT pg_advisory_xact_lock(\(Self.notificationLockClass), \(Int32(truncatingIfNeeded: alarm.monitorId)))", logger: logger)
            var previous: [String: LastNotification] = [:]
            if !candidates.isEmpty {
                for row in try await connection.rows(
                    """
                    SELECT token, event_id, occurrence, notified_at FROM notifications
                    WHERE monitor_id = \(alarm.monitorId) AND token = ANY(\(candidates.map(\.token)))
                    """, logger: logger)
                {
                    let (token, eventId, occurrence, at) = try row.decode((String, Int, Int, Double).self)
                    previous[token] = LastNotification(eventId: eventId, occurrence: occurrence, at: Date(storeValue: at))
                }
            }
            var notified = Set<String>()
            var records: (tokens: [String], events: [Int64], occurrences: [Int64], times: [Double]) = ([], [], [], [])
            var jobs: (tokens: [String], providers: [String]) = ([], [])
            for candidate in candidates {
                guard case .send(let record) = NotificationRule.decide(
                    alarm, previous: previous[candidate.token], interval: candidate.interval, now: now)
                else { continue }
                if let record {
                    records.tokens.append(candidate.token)
                    records.events.append(Int64(record.eventId))
                    records.occurrences.append(Int64(record.occurrence))
                    records.times.append(record.at.storeValue)
                }
                notified.insert(candidate.token)
                if let provider = candidate.provider {
                    jobs.tokens.append(candidate.token)
                    jobs.providers.append(provider.rawValue)
                }
            }
            for broker in mqttBrokers {
                jobs.tokens.append(broker)
                jobs.providers.append(PushProvider.mqtt.rawValue)
            }
            if !records.tokens.isEmpty {
                try await connection.rows(
                    """
                    INSERT INTO notifications (token, monitor_id, event_id, occurrence, notified_at)
                    SELECT t, \(alarm.monitorId), e, o, n
                    FROM unnest(\(records.tokens)::text[], \(records.events)::bigint[], \(records.occurrences)::bigint[],
                        \(records.times)::float8[]) AS u(t, e, o, n)
                    ON CONFLICT (token, monitor_id) DO UPDATE SET event_id = excluded.event_id,
                        occurrence = excluded.occurrence, notified_at = excluded.notified_at
                    """, logger: logger)
            }
            if !jobs.tokens.isEmpty {
                let detection = alarm.detection.flatMap(StoredDetection.text)
                try await connection.rows(
                    """
                    INSERT INTO outbox (token, provider, state, attempts, next_attempt_at, monitor_id, monitor_name,
                        event_id, cause, kind, alarm_time, source, created_at, critical, detection)
                    SELECT t, p, 'queued', 0, \(now.storeValue), \(alarm.monitorId), \(alarm.monitorName), \(alarm.eventId),
                        \(alarm.cause), \(alarm.kind.rawValue), \(alarm.time.storeValue), \(alarm.source), \(now.storeValue),
                        \(alarm.critical), \(detection)::text
                    FROM unnest(\(jobs.tokens)::text[], \(jobs.providers)::text[]) WITH ORDINALITY AS u(t, p, i) ORDER BY i
                    """, logger: logger)
            }
            return notified
        }
    }

    /// The first key of the notification rule's advisory locks (the second is the monitor id): "zm".
    static let notificationLockClass: Int32 = 0x7A6D
}
