import NIOCore
import NIOEmbedded
import NIOWebSocket

/// A text frame already in its wire form, for an alarm that goes to many sessions.
///
/// A server's frames are not masked (RFC 6455 §5.1), so the bytes are the same for every session:
/// encoded once per alarm instead of by each session's `WebSocketFrameEncoder`, which made a header
/// buffer and two writes per frame. `SessionFrameHandler.write(encoded:)` writes them past the encoder.
struct WireFrame: Sendable {
    let frame: WebSocketFrame
    let bytes: ByteBuffer

    /// Encodes `frame` with NIO's own `WebSocketFrameEncoder`, on a channel of its own.
    init(_ frame: WebSocketFrame) {
        self.frame = frame
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        var bytes = ByteBuffer()
        do {
            try channel.writeOutbound(frame)
            while let part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeImmutableBuffer(part) }
        } catch {
            preconditionFailure("WebSocketFrameEncoder refused a frame on an embedded channel: \(error)")
        }
        _ = try? channel.finish()
        self.bytes = bytes
    }
}
