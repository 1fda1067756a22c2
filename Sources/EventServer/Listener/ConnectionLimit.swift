import Foundation
import Logging
import NIOCore

/// The listener's open connections. It refuses the ones past the limit as soon as they are accepted,
/// so idle sockets can never take the file descriptors the store, libcurl and the admin API need;
/// at a stop it asks those still open to finish, and waits until they have.
final class ConnectionLimit: @unchecked Sendable {
    let maximum: Int
    private let lock = NSLock()
    private var open: [ObjectIdentifier: any Channel] = [:]
    private var refusedSinceLog = 0
    private var lastLog = Date.distantPast
    private let logger: Logger

    init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    var openCount: Int { lock.withLock { open.count } }

    /// Takes a place for `channel` until it closes, or returns false when all are taken.
    func admit(_ channel: any Channel) -> Bool {
        let (admitted, report) = lock.withLock { () -> (Bool, Int?) in
            if open.count < maximum {
                open[ObjectIdentifier(channel)] = channel
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
        if admitted {
            let key = ObjectIdentifier(channel)
            channel.closeFuture.whenComplete { _ in self.lock.withLock { _ = self.open.removeValue(forKey: key) } }
        }
        return admitted
    }

    /// Asks every open connection to finish (`ChannelShouldQuiesceEvent`): an idle HTTP connection
    /// closes at once, one with a request in progress after its answer, a session after its close
    /// handshake. Those still open after `timeout` are closed.
    func finishAll(within timeout: TimeAmount) async {
        let channels = lock.withLock { Array(open.values) }
        let deadline = NIODeadline.now() + timeout
        let forced = channels.map { channel in
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            return channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
        }
        for channel in channels { try? await channel.closeFuture.get() }
        for close in forced { close.cancel() }
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
