import Foundation
import HummingbirdCore
import Logging
import NIOCore

/// Counts the listener's open connections and refuses the ones past the limit as soon as they are accepted,
/// so idle sockets can never take the file descriptors the store, libcurl and the admin API need.
final class ConnectionLimit: @unchecked Sendable {
    let maximum: Int
    private let lock = NSLock()
    private var open = 0
    private var refusedSinceLog = 0
    private var lastLog = Date.distantPast
    private let logger: Logger

    init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    var openCount: Int { lock.withLock { open } }

    /// Takes a place for a new connection, or returns false when all are taken.
    func admit() -> Bool {
        let (admitted, report) = lock.withLock { () -> (Bool, Int?) in
            if open < maximum {
                open += 1
                return (true, nil)
            }
            refusedSinceLog += 1
            // One warning a minute at most: a flood must not also flood the log.
            guard Date().timeIntervalSince(lastLog) >= 60 else { return (false, nil) }
            lastLog = Date()
            defer { refusedSinceLog = 0 }
            return (false, refusedSinceLog)
        }
        if let report {
            logger.warning(
                "websocket connections refused: the connection limit is reached",
                metadata: ["limit": "\(maximum)", "refused": "\(report)"])
        }
        return admitted
    }

    func release() {
        lock.withLock { open -= 1 }
    }
}

/// Puts a `ConnectionLimit` in front of another child channel: a connection past the limit is closed at once.
struct ConnectionLimitChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let limit: ConnectionLimit

    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limit.admit() else {
            // The server's accept loop ignores a failed setup: the channel must be closed here.
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let limit = self.limit
        channel.closeFuture.whenComplete { _ in limit.release() }
        return base.setup(channel: channel, logger: logger).flatMapError { error in
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ConnectionLimit {
    /// `server.max_sessions`, lowered to what the open-file limit leaves room for (with a notice saying so).
    static func forConfiguration(_ server: Configuration.Server, logger: Logger) -> ConnectionLimit {
        let figures = OpenFileLimit.current()
        let limit = ConnectionLimit(
            maximum: OpenFileLimit.connectionLimit(maxSessions: server.maxSessions, figures: figures), logger: logger)
        if limit.maximum < server.maxSessions {
            logger.notice(
                "websocket connections limited by the open-file limit",
                metadata: [
                    "limit": "\(limit.maximum)", "server.max_sessions": "\(server.maxSessions)",
                    "open_files": "\(figures?.soft ?? 0)",
                ])
        }
        return limit
    }
}
