import NIOCore
import NIOWebSocket

/// Frames for many channels, grouped by event loop so that each loop is entered once:
/// an alarm to 10,000 sessions is a handful of hops onto the loops, not 10,000.
struct EventLoopBatches {
    private struct Batch: Sendable {
        let eventLoop: any EventLoop
        var writes: [(channel: any Channel, frame: WebSocketFrame)] = []
    }

    private var batches: [ObjectIdentifier: Batch] = [:]

    mutating func add(_ frame: WebSocketFrame, to channel: any Channel) {
        let loop = channel.eventLoop
        batches[ObjectIdentifier(loop), default: Batch(eventLoop: loop)].writes.append((channel, frame))
    }

    /// Writes and flushes every frame, each loop's on that loop.
    func flush() {
        for batch in batches.values {
            batch.eventLoop.execute {
                for write in batch.writes {
                    write.channel.writeAndFlush(write.frame, promise: nil)
                }
            }
        }
    }
}
