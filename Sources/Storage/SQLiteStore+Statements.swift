import GRDB

/// The shapes most of the store's one-statement operations share, written once.
extension SQLiteStore {
    /// Runs one statement in its own write transaction.
    func write(_ sql: String, arguments: StatementArguments = []) async throws {
        try await pool.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// Runs one statement in its own write transaction.
    /// - Returns: how many rows it inserted, changed or deleted.
    func writeCountingChanges(_ sql: String, arguments: StatementArguments = []) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// Every row of a query as one dictionary entry (rows `entry` returns `nil` for are left out).
    func readDictionary<Key: Hashable & Sendable, Value: Sendable>(
        _ sql: String, arguments: StatementArguments = [], entry: @escaping @Sendable (Row) -> (Key, Value)?
    ) async throws -> [Key: Value] {
        try await pool.read { db in
            var result: [Key: Value] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                if let (key, value) = entry(row) { result[key] = value }
            }
            return result
        }
    }

    /// Looks each key up with one cached statement whose first argument is the key (then
    /// `arguments`), so the cost grows with the keys, not the table; keys with no row are absent.
    func lookUp<Value: Sendable>(
        _ keys: Set<String>, _ sql: String, arguments: StatementArguments = [],
        value: @escaping @Sendable (Row) -> Value
    ) async throws -> [String: Value] {
        guard !keys.isEmpty else { return [:] }
        return try await pool.read { db in
            let statement = try db.cachedStatement(sql: sql)
            var result: [String: Value] = [:]
            for key in keys {
                var keyArguments: StatementArguments = [key]
                _ = keyArguments.append(contentsOf: arguments)
                if let row = try Row.fetchOne(statement, arguments: keyArguments) { result[key] = value(row) }
            }
            return result
        }
    }
}
