import NIOCore
import NIOWebSocket

/// Why one client session did not open.
enum ClientError: Error {
    case upgradeRefused(String)
    case authRefused(String)
    case closed
}

/// Sends the websocket upgrade request over TLS and, on `101`, swaps itself for the
/// frame codec and the session. Hand-rolled rather than NIO's upgrade machinery to
/// keep 10,000 clients' pipelines small.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let request =
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: emVzLWJlbmNobWFyay0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    private let session: SessionHandler
    private var received: ByteBuffer?

    init(session: SessionHandler) {
        self.session = session
    }

    func channelActive(context: ChannelHandlerContext) {
        // NIOSSL holds this until its handshake is done.
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: Self.request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if received == nil { received = incoming } else { received?.writeBuffer(&incoming) }
        guard var buffer = received, let end = buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        received = nil
        let head = buffer.readString(length: end.upperBound - buffer.readerIndex) ?? ""
        guard head.hasPrefix("HTTP/1.1 101") else {
            session.fail(ClientError.upgradeRefused(String(head.prefix(60))))
            context.close(promise: nil)
            return
        }
        do {
            try context.pipeline.syncOperations.addHandlers(
                [ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)), WebSocketFrameEncoder(), session])
        } catch {
            session.fail(error)
            context.close(promise: nil)
            return
        }
        if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.fail(ClientError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.fail(error)
        context.close(promise: nil)
    }
}

/// One logged-in client: sends `auth` (and a filter), then stamps each alarm's arrival.
final class SessionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let index: Int
    private let fleet: FleetShared
    private let opened: EventLoopPromise<Void>
    private var isOpen = false
    private var isSettled = false

    init(index: Int, fleet: FleetShared, opened: EventLoopPromise<Void>) {
        self.index = index
        self.fleet = fleet
        self.opened = opened
    }

    func fail(_ error: any Error) {
        guard !isSettled else { return }
        isSettled = true
        opened.fail(error)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        send(fleet.authMessage, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let at = monotonicNanoseconds()
            let payload = frame.unmaskedData
            if isOpen {
                if let eventId = alarmEventId(payload) {
                    fleet.receipts.record(alarm: eventId - fleet.alarmBase, client: index, at: at)
                }
            } else {
                let text = String(buffer: payload)
                guard text.contains("\"auth\""), text.contains("\"Success\"") else {
                    fail(ClientError.authRefused(text))
                    context.close(promise: nil)
                    return
                }
                isOpen = true
                fleet.sessionOpened()
                if let filter = fleet.filterMessage { send(filter, context: context) }
                isSettled = true
                opened.succeed()
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isOpen { fleet.sessionClosed() }
        fail(ClientError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}

/// The number in `"EventId":"<digits>"`, read from the bytes without building a String.
func alarmEventId(_ buffer: ByteBuffer) -> Int? {
    let key = Array("\"EventId\":\"".utf8)
    let view = buffer.readableBytesView
    guard let range = view.firstRange(of: key) else { return nil }
    var value = 0
    var index = range.upperBound
    var digits = 0
    while index < view.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(view[index]) {
        value = value * 10 + Int(view[index] - UInt8(ascii: "0"))
        index += 1
        digits += 1
    }
    return digits > 0 ? value : nil
}
