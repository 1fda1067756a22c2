import Foundation
import Logging
import Storage
import Testing
import ZmesTestSupport

/// The store implementations the storage tests run against, each test on both, so neither drifts
/// from the other. PostgreSQL is a real server the tests start (``PostgresServer``); without it
/// installed the PostgreSQL cases fail and say what to install.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store of this kind: a file in a new temporary directory, or a new database.
    func freshLocation() throws -> StoreLocation {
        switch self {
        case .sqlite:
            return .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("zmes-store-\(UUID().uuidString)/zmes.sqlite").path)
        case .postgres:
            let server = try PostgresServer.shared()
            return .postgres(try PostgresLocation(url: server.url(database: try server.createDatabase())))
        }
    }

    /// Runs `body` with a new, empty store of this kind.
    func withFreshStore<Result>(instanceId: String = "test", _ body: (any Store) async throws -> Result) async throws -> Result {
        try await withTestStore(freshLocation(), instanceId: instanceId, body)
    }
}

/// Opens the store at `location` for `body`, quietly (the migrations log at info).
func withTestStore<Result>(
    _ location: StoreLocation, instanceId: String = "test", _ body: (any Store) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "zmes.tests.store")
    logger.logLevel = .warning
    return try await withStore(location, instanceId: instanceId, logger: logger, body)
}
