import Logging

/// What zmes instances sharing one store tell each other, and the work only one of them may do at a
/// time. On SQLite there is one instance (``SingleInstance``); on PostgreSQL, ``PostgresCoordination``
/// (`NOTIFY`/`LISTEN` and advisory locks: the database is the only thing the instances share).
public protocol InstanceCoordination: Sendable {
    /// Whether other instances may share the store: only then are alarms published to them.
    var isShared: Bool { get }
    /// The longest message `broadcast` takes, in bytes.
    var largestMessage: Int { get }
    /// Sends `message` to every instance that is receiving, this one included.
    func broadcast(_ message: String) async throws
    /// Calls `handle` with each message any instance broadcasts, until cancelled or the connection fails.
    func receive(_ handle: @escaping @Sendable (String) async -> Void) async throws
    /// Runs `body` while this instance holds the lock `name`, waiting (asking again every `retry`) while
    /// another instance holds it. When the lock is lost (its connection died), `body` is cancelled and
    /// the wait starts again; returns when cancelled.
    func whileHolding(_ name: String, retry: Duration, logger: Logger, _ body: @escaping @Sendable () async -> Void) async
}

/// One instance on its own store (SQLite): nothing to tell anyone, every lock is its own.
public struct SingleInstance: InstanceCoordination {
    public init() {}

    public var isShared: Bool { false }

    public var largestMessage: Int { .max }

    public func broadcast(_ message: String) async throws {}

    public func receive(_ handle: @escaping @Sendable (String) async -> Void) async throws {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
    }

    public func whileHolding(_ name: String, retry: Duration, logger: Logger, _ body: @escaping @Sendable () async -> Void) async {
        await body()
    }
}
