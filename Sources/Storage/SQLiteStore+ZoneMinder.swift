import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// The last ZoneMinder event notified per monitor, so a restart neither repeats nor drops one.
    public func lastNotifiedEvents() async throws -> [Int: Int] {
        try await readDictionary("SELECT monitor_id, last_event_id FROM monitor_events") { row in (row[0], row[1]) }
    }

    /// Replaces the monitor's last notified event. A lower id than the stored one is kept as
    /// it is: ZoneMinder's ids went down (its database was reset) and the new sequence counts.
    public func saveLastNotifiedEvent(monitor: Int, event: Int, at now: Date) async throws {
        try await write(
            """
            INSERT INTO monitor_events (monitor_id, last_event_id, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(monitor_id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
            """,
            arguments: [monitor, event, now.storeValue])
    }
}
