import Foundation
import GRDB
import Model

extension Store {
    /// Remembers what a ZoneMinder user may see, from their last successful login, so the
    /// router can serve their devices after a restart before they log in again.
    public func saveRemotePermissions(user: String, monitors: MonitorSet, at now: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO remote_users (name, monitors, verified_at) VALUES (?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET monitors = excluded.monitors, verified_at = excluded.verified_at
                    """,
                arguments: [user, monitors.list, now.storeValue])
        }
    }

    public func remotePermissions() async throws -> [String: MonitorSet] {
        try await pool.read { db in
            var result: [String: MonitorSet] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, monitors FROM remote_users") {
                let list: String? = row["monitors"]
                result[row["name"]] = list.flatMap(MonitorSet.init(list:)) ?? .all
            }
            return result
        }
    }

    /// What the users among `names` may see, by indexed lookups; users never verified are absent.
    public func remotePermissions(users names: Set<String>) async throws -> [String: MonitorSet] {
        guard !names.isEmpty else { return [:] }
        return try await pool.read { db in
            let lookup = try db.cachedStatement(sql: "SELECT monitors FROM remote_users WHERE name = ?")
            var result: [String: MonitorSet] = [:]
            for name in names {
                guard let row = try Row.fetchOne(lookup, arguments: [name]) else { continue }
                let list: String? = row["monitors"]
                result[name] = list.flatMap(MonitorSet.init(list:)) ?? .all
            }
            return result
        }
    }

    /// The last ZoneMinder event notified per monitor, so a restart neither repeats nor drops one.
    public func lastNotifiedEvents() async throws -> [Int: Int] {
        try await pool.read { db in
            var result: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT monitor_id, last_event_id FROM monitor_events") {
                result[row["monitor_id"]] = row["last_event_id"]
            }
            return result
        }
    }

    /// Replaces the monitor's last notified event. A lower id than the stored one is kept as
    /// it is: ZoneMinder's ids went down (its database was reset) and the new sequence counts.
    public func saveLastNotifiedEvent(monitor: Int, event: Int, at now: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO monitor_events (monitor_id, last_event_id, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(monitor_id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
                    """,
                arguments: [monitor, event, now.storeValue])
        }
    }
}
