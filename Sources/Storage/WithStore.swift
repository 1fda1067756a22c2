import Foundation
import Logging
import PostgresNIO

/// Opens the store at `location` for as long as `body` runs: the SQLite file, or a PostgreSQL
/// client whose connections run in a child task and are closed when `body` returns or throws.
/// `instanceId` is what this process writes to `outbox.claimed_by` (PostgreSQL only).
public func withStore<Result>(
    _ location: StoreLocation, instanceId: String, logger: Logger, _ body: (any Store) async throws -> Result
) async throws -> Result {
    switch location {
    case .sqlite(let path):
        return try await body(try SQLiteStore(path: path))
    case .postgres(let postgres):
        try await PostgresProbe.check(postgres, logger: logger)
        var configuration = PostgresClient.Configuration(
            host: postgres.host, port: postgres.port, username: postgres.user, password: postgres.password,
            database: postgres.database, tls: postgres.tls.clientTLS)
        configuration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let store: PostgresStore
            do {
                store = try await PostgresStore(client: client, instanceId: instanceId, logger: logger)
            } catch {
                throw StoreError.cannotOpen(path: postgres.description, reason: PostgresProbe.reason(error))
            }
            return try await body(store)
        }
    }
}

extension PostgresLocation.TLSMode {
    var clientTLS: PostgresClient.Configuration.TLS {
        switch self {
        case .disable: return .disable
        case .prefer: return .prefer(.makeClientConfiguration())
        case .require: return .require(.makeClientConfiguration())
        }
    }
}
