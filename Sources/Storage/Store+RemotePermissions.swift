import Foundation
import GRDB
import Model

/// ZoneMinder users' permissions as zmes last verified them, with the time of that check:
/// they are trusted only for a while (`auth.zoneminder_recheck` plus `auth.zoneminder_grace`).
extension Store {
    /// What the users among `names` may see, for those verified at or after `since`.
    public func remotePermissions(users names: Set<String>, verifiedSince since: Date) async throws -> [String: MonitorSet] {
        guard !names.isEmpty else { return [:] }
        return try await pool.read { db in
            let lookup = try db.cachedStatement(sql: "SELECT monitors FROM remote_users WHERE name = ? AND verified_at >= ?")
            var result: [String: MonitorSet] = [:]
            for name in names {
                guard let row = try Row.fetchOne(lookup, arguments: [name, since.storeValue]) else { continue }
                let list: String? = row["monitors"]
                result[name] = list.flatMap(MonitorSet.init(list:)) ?? .all
            }
            return result
        }
    }

    /// Every user verified at or after `since`, with what they may see.
    public func remotePermissions(verifiedSince since: Date) async throws -> [String: MonitorSet] {
        try await pool.read { db in
            var result: [String: MonitorSet] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, monitors FROM remote_users WHERE verified_at >= ?", arguments: [since.storeValue]) {
                let list: String? = row["monitors"]
                result[row["name"]] = list.flatMap(MonitorSet.init(list:)) ?? .all
            }
            return result
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
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM remote_users WHERE name = ?", arguments: [user])
        }
    }
}
