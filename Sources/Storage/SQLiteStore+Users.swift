import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Creates the user or replaces its password and monitors.
    public func saveUser(_ user: User) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (name, password_hash, monitors, created_at, admin) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, monitors = excluded.monitors,
                        admin = excluded.admin
                    """,
                arguments: [user.name, user.passwordHash, user.monitors.list, user.createdAt.storeValue, user.isAdmin])
        }
    }

    public func user(named name: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(User.init(row:))
        }
    }

    public func users() async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(User.init(row:))
        }
    }

    /// The users among `names` that exist (one indexed lookup each), for the router,
    /// which needs only the owners of the devices an alarm concerns.
    public func users(named names: Set<String>) async throws -> [User] {
        guard !names.isEmpty else { return [] }
        return try await pool.read { db in
            let lookup = try db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?")
            return try names.sorted().compactMap { name in try Row.fetchOne(lookup, arguments: [name]).map(User.init(row:)) }
        }
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    /// Removes the user and the devices it registered.
    public func removeUser(named name: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw StoreError.unknownUser(name) }
            try db.execute(sql: "DELETE FROM devices WHERE user = ?", arguments: [name])
        }
    }
}

extension User {
    init(row: Row) {
        self.init(
            name: row["name"],
            passwordHash: row["password_hash"],
            monitors: MonitorSet(stored: row["monitors"]),
            createdAt: Date(storeValue: row["created_at"]),
            isAdmin: row["admin"])
    }
}
