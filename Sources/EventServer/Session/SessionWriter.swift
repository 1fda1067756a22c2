import NIOCore
import NIOWebSocket

/// A session's way out: frames go straight into its channel, where `SessionFrameHandler`
/// keeps them in order with `SessionFrameReader`'s own (pongs, the answer to the peer's close).
///
/// No queue and no task per session: the alarm fan-out writes to every channel of an event
/// loop in one hop onto that loop (`SessionRegistry.deliver`), as a bare NIO server would.
struct SessionWriter: Sendable {
    let channel: any Channel
    /// The session's `SessionFrameHandler`, for frames already in wire form (`WireFrame`);
    /// nil where a test builds a writer on a bare channel.
    let frames: NIOLoopBound<SessionFrameHandler>?

    init(channel: any Channel, frames: NIOLoopBound<SessionFrameHandler>? = nil) {
        self.channel = channel
        self.frames = frames
    }

    func send(text: String) {
        channel.writeAndFlush(Self.textFrame(text), promise: nil)
    }

    /// Sends a close frame; the peer's answer, or the close timeout, ends the connection.
    func close(_ code: WebSocketErrorCode, reason: String) {
        channel.writeAndFlush(Self.closeFrame(code, reason: reason), promise: nil)
    }

    static func textFrame(_ text: String) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text))
    }

    static func closeFrame(_ code: WebSocketErrorCode, reason: String) -> WebSocketFrame {
        var data = ByteBuffer()
        data.reserveCapacity(2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }
}
