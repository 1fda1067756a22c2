import Foundation
import GRDB
import Model

/// ZoneMinder users' permissions as zmes last verified them, with the time of that check:
/// they are trusted only for a while (`auth.zoneminder_recheck` plus `auth.zoneminder_grace`).
extension SQLiteStore {
    /// Remembers what a ZoneMinder user may see, from their last successful login, so the
    /// router can serve their devices after a restart before they log in again.
    public func saveRemotePermissions(user: String, monitors: MonitorSet, at now: Date) async throws {
        try await write(
            """
            INSERT INTO remote_users (name, monitors, verified_at) VALUES (?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET monitors = excluded.monitors, verified_at = excluded.verified_at
            """,
            arguments: [user, monitors.list, now.storeValue])
    }

    /// What the users among `names` may see, by indexed lookups, for those verified at or after
    /// `since` (by default: ever); the others are absent.
    public func remotePermissions(users names: Set<String>, verifiedSince since: Date) async throws -> [String: MonitorSet] {
        try await lookUp(names, "SELECT monitors FROM remote_users WHERE name = ? AND verified_at >= ?", arguments: [since.storeValue]) { row in
            MonitorSet(stored: row[0])
        }
    }

    /// Every user verified at or after `since`, with what they may see.
    public func remotePermissions(verifiedSince since: Date) async throws -> [String: MonitorSet] {
        try await readDictionary("SELECT name, monitors FROM remote_users WHERE verified_at >= ?", arguments: [since.storeValue]) { row in
            (row[0] as String, MonitorSet(stored: row[1]))
        }
    }

    /// The users last verified before `date`: due for a new check.
    public func remoteUsers(verifiedBefore date: Date) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM remote_users WHERE verified_at < ? ORDER BY verified_at", arguments: [date.storeValue])
        }
    }

    /// Forgets a user ZoneMinder no longer accepts: their devices get no more pushes.
    public func removeRemotePermissions(user: String) async throws {
        try await write("DELETE FROM remote_users WHERE name = ?", arguments: [user])
    }
}

extension MonitorSet {
    /// A `monitors` column: a list, or NULL for every monitor.
    init(stored list: String?) {
        self = list.flatMap(MonitorSet.init(list:)) ?? .all
    }
}
