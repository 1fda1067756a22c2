import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    public func saveUser(_ user: User) async throws {
        try await rows(
            """
            INSERT INTO users (name, password_hash, monitors, created_at, admin)
            VALUES (\(user.name), \(user.passwordHash), \(user.monitors.list), \(user.createdAt.storeValue), \(user.isAdmin))
            ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, monitors = excluded.monitors,
                admin = excluded.admin
            """)
    }

    public func user(named name: String) async throws -> User? {
        try await rows("SELECT \(unescaped: User.postgresColumns) FROM users WHERE name = \(name)").first.map(User.init(postgres:))
    }

    public func users() async throws -> [User] {
        try await rows("SELECT \(unescaped: User.postgresColumns) FROM users ORDER BY name").map(User.init(postgres:))
    }

    public func users(named names: Set<String>) async throws -> [User] {
        guard !names.isEmpty else { return [] }
        return try await rows(
            "SELECT \(unescaped: User.postgresColumns) FROM users WHERE name = ANY(\(Array(names))) ORDER BY name"
        ).map(User.init(postgres:))
    }

    public func userCount() async throws -> Int {
        try await rows("SELECT COUNT(*) FROM users").first?.decode(Int.self) ?? 0
    }

    public func removeUser(named name: String) async throws {
        try await transaction { connection in
            guard try await !connection.rows("DELETE FROM users WHERE name = \(name) RETURNING 1", logger: logger).isEmpty else {
                throw StoreError.unknownUser(name)
            }
            try await connection.rows(#"DELETE FROM devices WHERE "user" = \#(name)"#, logger: logger)
        }
    }
}

extension User {
    static let postgresColumns = "name, password_hash, monitors, created_at, admin"

    init(postgres row: PostgresRow) throws {
        let (name, hash, monitors, createdAt, admin) = try row.decode((String, String, String?, Double, Bool).self)
        self.init(
            name: name, passwordHash: hash, monitors: MonitorSet(stored: monitors), createdAt: Date(storeValue: createdAt), isAdmin: admin)
    }
}
