import Foundation
import GRDB

extension SQLiteStore {
    /// Mutes the monitor until `until`, replacing an earlier mute of it.
    public func muteMonitor(_ monitorId: Int, until: Date, at now: Date) async throws {
        try await write(
            """
            INSERT INTO monitor_mutes (monitor_id, until, set_at) VALUES (?, ?, ?)
            ON CONFLICT(monitor_id) DO UPDATE SET until = excluded.until, set_at = excluded.set_at
            """,
            arguments: [monitorId, until.storeValue, now.storeValue])
    }

    /// - Returns: whether the monitor was muted.
    @discardableResult
    public func unmuteMonitor(_ monitorId: Int) async throws -> Bool {
        try await writeCountingChanges("DELETE FROM monitor_mutes WHERE monitor_id = ?", arguments: [monitorId]) > 0
    }

    /// The mutes in force at `now`, by monitor id (ended ones are left in the table and ignored).
    public func monitorMutes(at now: Date) async throws -> [Int: MonitorMute] {
        try await readDictionary("SELECT monitor_id, until, set_at FROM monitor_mutes WHERE until > ?", arguments: [now.storeValue]) { row in
            let mute = MonitorMute(monitorId: row[0], until: Date(storeValue: row[1]), setAt: Date(storeValue: row[2]))
            return (mute.monitorId, mute)
        }
    }

    /// When the monitor's mute ends, or nil when it is not muted at `now`.
    public func mutedUntil(monitor monitorId: Int, at now: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db, sql: "SELECT until FROM monitor_mutes WHERE monitor_id = ? AND until > ?", arguments: [monitorId, now.storeValue]
            ).map(Date.init(storeValue:))
        }
    }
}
