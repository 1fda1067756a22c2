import Foundation
import GRDB

extension SQLiteStore {
    /// The secret called `name`, made from `make` the first time it is asked for and kept from then on,
    /// so links signed before a restart stay valid after it. Read and made in one write transaction:
    /// two processes on one store end up with the same secret.
    public func secret(named name: String, makeWith make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8] {
        try await pool.write { db in
            if let value = try Data.fetchOne(db, sql: "SELECT value FROM secrets WHERE name = ?", arguments: [name]) {
                return [UInt8](value)
            }
            let made = make()
            try db.execute(sql: "INSERT INTO secrets (name, value) VALUES (?, ?)", arguments: [name, Data(made)])
            return made
        }
    }
}

extension SQLiteStore {
    public func secrets() async throws -> [String: [UInt8]] {
        try await pool.read { db in
            var secrets: [String: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM secrets") {
                secrets[row[0]] = [UInt8](row[1] as Data)
            }
            return secrets
        }
    }
}
