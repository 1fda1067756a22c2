import Foundation
import Model
import PostgresNIO

/// ZoneMinder users' verified permissions and the last event notified per monitor.
extension PostgresStore {
    public func saveRemotePermissions(user: String, monitors: MonitorSet, at now: Date) async throws {
        try await rows(
            """
            INSERT INTO remote_users (name, monitors, verified_at) VALUES (\(user), \(monitors.list), \(now.storeValue))
            ON CONFLICT (name) DO UPDATE SET monitors = excluded.monitors, verified_at = excluded.verified_at
            """)
    }

    public func remotePermissions(users names: Set<String>, verifiedSince since: Date) async throws -> [String: MonitorSet] {
        guard !names.isEmpty else { return [:] }
        return try await permissions(
            rows("SELECT name, monitors FROM remote_users WHERE name = ANY(\(Array(names))) AND verified_at >= \(since.storeValue)"))
    }

    public func remotePermissions(verifiedSince since: Date) async throws -> [String: MonitorSet] {
        try await permissions(rows("SELECT name, monitors FROM remote_users WHERE verified_at >= \(since.storeValue)"))
    }

    private func permissions(_ rows: [PostgresRow]) throws -> [String: MonitorSet] {
        var result: [String: MonitorSet] = [:]
        for row in rows {
            let (name, monitors) = try row.decode((String, String?).self)
            result[name] = MonitorSet(stored: monitors)
        }
        return result
    }

    public func remoteUsers(verifiedBefore date: Date) async throws -> [String] {
        try await rows("SELECT name FROM remote_users WHERE verified_at < \(date.storeValue) ORDER BY verified_at").map {
            try $0.decode(String.self)
        }
    }

    public func removeRemotePermissions(user: String) async throws {
        try await rows("DELETE FROM remote_users WHERE name = \(user)")
    }

    public func lastNotifiedEvents() async throws -> [Int: Int] {
        var events: [Int: Int] = [:]
        for row in try await rows("SELECT monitor_id, last_event_id FROM monitor_events") {
            let (monitor, event) = try row.decode((Int, Int).self)
            events[monitor] = event
        }
        return events
    }

    public func saveLastNotifiedEvent(monitor: Int, event: Int, at now: Date) async throws {
        try await rows(
            """
            INSERT INTO monitor_events (monitor_id, last_event_id, updated_at) VALUES (\(monitor), \(event), \(now.storeValue))
            ON CONFLICT (monitor_id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
            """)
    }
}
