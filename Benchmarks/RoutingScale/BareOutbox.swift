import Foundation
import GRDB
import Model
import ZmesBenchSupport

/// The reference: one plain GRDB transaction that inserts as many outbox rows as the
/// router queued, with nothing decided. The gap to routing is what deciding costs.
struct BareOutbox {
    let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Returns the seconds the transaction took.
    func insert(rows: Int, alarm: Alarm) throws -> Double {
        let start = now()
        try queue.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO outbox (token, provider, state, attempts, next_attempt_at, monitor_id, monitor_name,
                    event_id, cause, kind, alarm_time, source, created_at)
                VALUES (?, 'apns', 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let time = Date().timeIntervalSince1970
            for index in 0..<rows {
                try statement.execute(arguments: [
                    "bare-\(index)", time, alarm.monitorId, alarm.monitorName, alarm.eventId, alarm.cause,
                    alarm.kind.rawValue, time, "bench", time,
                ])
            }
        }
        return now() - start
    }
}
