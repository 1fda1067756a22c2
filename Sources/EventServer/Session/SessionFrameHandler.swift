import CoreMetrics
import NIOCore
import NIOWebSocket

/// The last stop of a session's frames before the websocket encoder.
///
/// zmes writes a session's frames straight into its channel: a queue and a writer task per
/// session cost more than the socket itself once there are 10,000 idle phones. The rules such
/// a queue kept live here instead, on the channel's event loop where every frame passes in order:
/// nothing after a close frame (`SessionFrameReader`'s answer to the peer's close included),
/// nothing piled onto a peer that stopped reading, and a ping per interval so a peer that
/// vanished without closing (a phone that lost its network) is closed by the next one.
final class SessionFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Settings: Sendable {
        /// Between pings; a peer that has sent nothing since the last one is closed at the next.
        var pingInterval: TimeAmount
        /// How long a close frame may wait for the peer's answer before the socket is closed.
        var closeTimeout: TimeAmount
        /// Counts messages not written because the peer stopped reading.
        var dropped: CoreMetrics.Counter
    }

    private let settings: Settings
    private var pinger: RepeatedTask?
    private var closeDeadline: Scheduled<Void>?
    private var heardSinceLastPing = true
    private var closeSent = false
    /// The channel's writability, kept from its events: reading it from the channel on every
    /// frame touches one more cold object per session when an alarm goes to 10,000 of them.
    private var writable = true
    /// This handler's place in the pipeline, and the websocket encoder's (found at the first frame
    /// in wire form): ``write(encoded:)`` writes from there, past the encoder.
    private var context: ChannelHandlerContext?
    private var encoderContext: ChannelHandlerContext?

    init(settings: Settings) {
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writable = context.channel.isWritable
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let interval = settings.pingInterval
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.handler.ping(loopBound.value.context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimers()
        self.context = nil
        encoderContext = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimers()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heardSinceLastPing = true  // a pong, or anything else: the peer is there
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closeSent else {
            promise?.succeed()  // the close handshake is under way: the peer must not see more
            return
        }
        let frame = unwrapOutboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            closeSent = true
            pinger?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            closeDeadline = context.eventLoop.scheduleTask(in: settings.closeTimeout) {
                loopBound.value.close(promise: nil)
            }
        case .text, .binary, .continuation:
            guard peerIsReading() else {
                promise?.succeed()
                return
            }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    /// An alarm's frame already in wire form (``WireFrame``), under the rules every frame follows here:
    /// nothing after a close frame, nothing for a peer that stopped reading. On the channel's event loop.
    func write(encoded wire: WireFrame) {
        guard let context, !closeSent, peerIsReading() else { return }
        if encoderContext == nil {
            encoderContext = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        }
        guard let encoderContext else {
            context.writeAndFlush(wrapOutboundOut(wire.frame), promise: nil)  // no encoder to pass: as a frame
            return
        }
        // From the encoder's place: the bytes go on to TLS as the encoder would have written them.
        encoderContext.writeAndFlush(NIOAny(wire.bytes), promise: nil)
    }

    /// Whether a message may go to the peer now. One that has stopped reading, its socket's send buffer
    /// past the high-water mark, gets nothing: the message is dropped and counted rather than held in
    /// an unbounded backlog for it.
    private func peerIsReading() -> Bool {
        if !writable { settings.dropped.increment() }
        return writable
    }

    private func ping(_ context: ChannelHandlerContext) {
        guard !closeSent else { return }
        guard heardSinceLastPing else {
            // Not a word since the last ping: say why, then close without waiting for an answer.
            closeSent = true
            context.writeAndFlush(wrapOutboundOut(SessionWriter.closeFrame(.goingAway, reason: "ping timeout")), promise: nil)
            context.close(promise: nil)
            return
        }
        heardSinceLastPing = false
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
    }

    private func stopTimers() {
        pinger?.cancel()
        pinger = nil
        closeDeadline?.cancel()
        closeDeadline = nil
    }
}
