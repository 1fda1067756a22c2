import Foundation
import GRDB

extension SQLiteStore {
    /// The last `perMonitor` events of each monitor that were pushed, newest first.
    public func recentEvents(perMonitor: Int) async throws -> [Int: [RecentEvent]] {
        try await pool.read { db in
            var events: [Int: [RecentEvent]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT monitor_id, event_id, MAX(cause) AS cause, MAX(alarm_time) AS time FROM outbox
                    WHERE kind = 'start' GROUP BY monitor_id, event_id ORDER BY time DESC LIMIT 1000
                    """)
            for row in rows {
                let event = RecentEvent(monitorId: row["monitor_id"], eventId: row["event_id"], cause: row["cause"], time: Date(storeValue: row["time"]))
                if events[event.monitorId, default: []].count < perMonitor { events[event.monitorId, default: []].append(event) }
            }
            return events
        }
    }
}
