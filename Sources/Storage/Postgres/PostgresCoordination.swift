import Logging
import PostgresNIO

/// Instances on one PostgreSQL database: alarms go to every instance with `NOTIFY` on ``channel``
/// (each listens on a connection of its own), and work that only one may do (reading ZoneMinder's
/// shared memory) is held by a session advisory lock, which PostgreSQL releases when the holder's
/// connection ends, a `kill -9` included.
public struct PostgresCoordination: InstanceCoordination {
    /// The `NOTIFY` channel alarms travel on.
    public static let channel = "zmes_alarms"
    /// PostgreSQL's limit on a `NOTIFY` payload is 8,000 bytes.
    public var largestMessage: Int { 7_999 }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public var isShared: Bool { true }

    public func broadcast(_ message: String) async throws {
        guard message.utf8.count <= largestMessage else { throw StoreError.messageTooLarge(bytes: message.utf8.count) }
        try await client.query("SELECT pg_notify(\(Self.channel), \(message))", logger: logger)
    }

    public func receive(_ handle: @escaping @Sendable (String) async -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.channel) { notifications in
                logger.info("listening on the store's alarm channel", metadata: ["channel": "\(Self.channel)"])
                for try await notification in notifications {
                    await handle(notification.payload)
                }
            }
        }
    }

    public func whileHolding(_ name: String, retry: Duration, logger: Logger, _ body: @escaping @Sendable () async -> Void) async {
        var waiting = false
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    let rows = try await connection.query(
                        "SELECT pg_try_advisory_lock(hashtextextended(\(name), 0))", logger: logger)
                    var held = false
                    for try await (granted) in rows.decode(Bool.self) { held = granted }
                    guard held else {
                        if !waiting { logger.info("another instance holds the lock; standing by", metadata: ["lock": "\(name)"]) }
                        waiting = true
                        return
                    }
                    waiting = false
                    logger.info("lock taken", metadata: ["lock": "\(name)"])
                    try await Self.run(body, whileAlive: connection, every: retry, logger: logger)
                    _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 0))", logger: logger)
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("lost the store's connection for the lock; asking again", metadata: ["lock": "\(name)", "error": "\(String(reflecting: error))"])
                }
            }
            try? await Task.sleep(for: retry)
        }
    }

    /// Runs `body` until it returns, or until the connection that holds the lock stops answering (then
    /// `body` is cancelled and the error thrown: another instance may hold the lock by now).
    private static func run(
        _ body: @escaping @Sendable () async -> Void, whileAlive connection: PostgresConnection, every interval: Duration, logger: Logger
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await body() }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    try await connection.query("SELECT 1", logger: logger)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
