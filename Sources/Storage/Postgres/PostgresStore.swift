import Foundation
import Logging
import Model
import PostgresNIO

/// The store in a PostgreSQL database that several `zmes serve` share (docs/POSTGRESQL.md).
///
/// It behaves as ``SQLiteStore`` does; where SQLite relies on its single writer, this relies on
/// PostgreSQL: row locks and `FOR UPDATE SKIP LOCKED` for claims, a transaction-scoped advisory
/// lock per monitor for the notification rule, atomic `UPDATE`s for badges. Times are stored as
/// `double precision` seconds since 1970, as in SQLite, so both read the same and compare cheaply.
///
/// The ``PostgresClient`` must be running (`client.run()`) for as long as the store is used:
/// ``withStore(_:logger:_:)`` does both.
public final class PostgresStore: Store {
    let client: PostgresClient
    let logger: Logger
    /// Written to `outbox.claimed_by` with each claim, so an operator (and a test) sees which
    /// instance holds a job.
    public let instanceId: String

    /// Migrates the database to the current schema (``PostgresMigrations``) before returning.
    public init(client: PostgresClient, instanceId: String, logger: Logger) async throws {
        self.client = client
        self.instanceId = instanceId
        self.logger = logger
        try await PostgresMigrations.migrate(client: client, logger: logger)
    }

    /// `NOTIFY`/`LISTEN` and advisory locks on this store's database.
    public var coordination: any InstanceCoordination { PostgresCoordination(client: client, logger: logger) }

    public func isHealthy() async -> Bool {
        (try? await client.query("SELECT 1::bigint", logger: logger).collect().first?.decode(Int.self)) == 1
    }
}

/// The shapes the store's operations share, written once.
extension PostgresStore {
    /// Runs one statement and returns its rows (none for most writes).
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back
    /// when it throws (its own error is rethrown, so a ``StoreError`` reaches the caller as it is).
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.rows("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.rows("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger).collect()
                throw error
            }
        }
    }
}

extension PostgresConnection {
    /// Runs one statement in the connection's transaction and returns its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
