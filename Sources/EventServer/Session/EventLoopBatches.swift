import NIOCore
import NIOWebSocket

/// Frames for many channels, grouped by event loop so that each loop is entered once:
/// an alarm to 10,000 sessions is a handful of hops onto the loops, not 10,000.
struct EventLoopBatches {
    private struct Batch: Sendable {
        let eventLoop: any EventLoop
        var writes: [(writer: SessionWriter, frame: WireFrame)] = []
    }

    private var batches: [ObjectIdentifier: Batch] = [:]

    mutating func add(_ frame: WireFrame, to writer: SessionWriter) {
        let loop = writer.channel.eventLoop
        batches[ObjectIdentifier(loop), default: Batch(eventLoop: loop)].writes.append((writer, frame))
    }

    /// Writes and flushes every frame, each loop's on that loop: in wire form through the session's
    /// `SessionFrameHandler` where the writer has one, else as a frame into the channel.
    func flush() {
        for batch in batches.values {
            batch.eventLoop.execute {
                for write in batch.writes {
                    if let frames = write.writer.frames {
                        frames.value.write(encoded: write.frame)
                    } else {
                        write.writer.channel.writeAndFlush(write.frame.frame, promise: nil)
                    }
                }
            }
        }
    }
}
