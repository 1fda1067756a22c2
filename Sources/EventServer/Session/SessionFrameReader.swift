import NIOCore
import NIOWebSocket

/// The end of an upgraded session's pipeline: reads its frames on the event loop.
///
/// Messages (reassembled by `NIOWebSocketFrameAggregator` before they get here) go to the
/// session's inbox in the order they came; pings are answered with pongs; the peer's close is
/// answered and ends the connection. `SessionFrameHandler`, in front of it, sees every frame too,
/// and keeps anything from going out after a close frame, this handler's answers included.
final class SessionFrameReader: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let inbox: SerialInbox<Connection>
    private var closeReceived = false
    private var reportedClosed = false

    init(inbox: SerialInbox<Connection>) {
        self.inbox = inbox
    }

    func handlerAdded(context: ChannelHandlerContext) {
        inbox.post(.opened)
        // A peer that left during the upgrade: no channelInactive will come.
        if !context.channel.isActive { reportClosed() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closeReceived else { return }  // nothing counts after the peer's close
        switch frame.opcode {
        case .text:
            inbox.post(.text(String(buffer: frame.unmaskedData)))
        case .binary:
            inbox.post(.binary)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break  // SessionFrameHandler has noted that the peer is there
        case .connectionClose:
            closeReceived = true
            close(context, Self.answer(toClose: frame.unmaskedData))
        default:
            close(context, .protocolError)  // a reserved opcode
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        // The listener is stopping: say so; the peer's answer, or the close timeout, ends the connection.
        context.writeAndFlush(wrapOutboundOut(SessionWriter.closeFrame(.goingAway, reason: "server shutting down")), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
            close(context, .messageTooLarge)  // a message over the ceiling, in fragments
        case is NIOWebSocketFrameAggregator.Error:
            close(context, .protocolError)
        case is NIOWebSocketError:
            break  // WebSocketProtocolErrorHandler has sent the close frame and closes the channel
        default:
            context.close(promise: nil)  // the socket or TLS failed: nothing more can be said
        }
    }

    /// Sends a close frame and closes the socket once it is written (at once if a close went out before).
    private func close(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(SessionWriter.closeFrame(code, reason: ""))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func reportClosed() {
        guard !reportedClosed else { return }
        reportedClosed = true
        inbox.post(.closed)
    }

    /// The code that answers a peer's close frame (RFC 6455 7.4): its own code back as a normal
    /// closure, or a protocol error for a one-byte body or a code no endpoint may send.
    static func answer(toClose body: ByteBuffer) -> WebSocketErrorCode {
        var body = body
        guard body.readableBytes > 0 else { return .normalClosure }
        guard let code = body.readWebSocketErrorCode() else { return .protocolError }
        if case .unknown(let number) = code, !(3000...4999).contains(number) { return .protocolError }
        return .normalClosure
    }
}
