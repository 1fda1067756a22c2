import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Collects one HTTP/2 request stream (headers, data, end of stream), hands it
/// to the mock's async handler and writes the reply on the same stream.
///
/// One instance per stream, living on the connection's event loop; the async
/// handler runs off-loop, so many streams of one connection are answered concurrently.
final class HTTP2StreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let connectionID: Int
    /// Answer at the request's headers and stop reading the stream (`HTTP2MockServer`'s option).
    private let answersBeforeBody: Bool
    private let handler: MockRequestHandler
    private var requestHeaders: HPACKHeaders?
    private var body: [UInt8] = []
    private var dispatched = false

    init(connectionID: Int, answersBeforeBody: Bool = false, handler: @escaping MockRequestHandler) {
        self.connectionID = connectionID
        self.answersBeforeBody = answersBeforeBody
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            if requestHeaders == nil { requestHeaders = headers.headers }  // later HEADERS are trailers: ignored
            if answersBeforeBody, !headers.endStream {
                // No more reads: the body's DATA frames stay unread and the stream's window is never reopened.
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
                dispatch(context: context)
            } else if headers.endStream {
                dispatch(context: context)
            }
        case .data(let frame):
            if case .byteBuffer(var buffer) = frame.data, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
            if frame.endStream { dispatch(context: context) }
        default:
            break
        }
    }

    private func dispatch(context: ChannelHandlerContext) {
        guard !dispatched, let requestHeaders else { return }
        dispatched = true
        let request = Self.record(requestHeaders, body: body, connectionID: connectionID)
        let handler = self.handler
        let promise = context.eventLoop.makePromise(of: MockReply.self)
        promise.completeWithTask { await handler(request) }
        promise.futureResult.assumeIsolated().whenSuccess { reply in
            self.write(reply, context: context)
        }
    }

    private func write(_ reply: MockReply, context: ChannelHandlerContext) {
        switch reply {
        case .response(let status, let fields, let body):
            var headers = HPACKHeaders()
            headers.add(name: ":status", value: String(status))
            for (name, value) in fields { headers.add(name: name.lowercased(), value: value) }
            if !headers.contains(name: "content-length") { headers.add(name: "content-length", value: String(body.count)) }
            if body.isEmpty {
                context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
            } else {
                context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
                let buffer = context.channel.allocator.buffer(bytes: body)
                context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))), promise: nil)
            }
        case .resetStream:
            // Closing a stream channel that is still open on the wire emits RST_STREAM(CANCEL).
            context.close(promise: nil)
        case .closeConnection:
            context.channel.parent?.close(promise: nil)
        }
    }

    private static func record(_ headers: HPACKHeaders, body: [UInt8], connectionID: Int) -> RecordedRequest {
        var method = "", path = "", authority = ""
        var fields: [(name: String, value: String)] = []
        var joined: [String: String] = [:]
        for (name, value, _) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":authority": authority = value
            case let pseudo where pseudo.hasPrefix(":"): continue
            default:
                let lower = name.lowercased()
                fields.append((name: lower, value: value))
                joined[lower] = joined[lower].map { "\($0), \(value)" } ?? value
            }
        }
        return RecordedRequest(
            method: method, path: path, authority: authority,
            headers: joined, headerFields: fields, body: body,
            connectionID: connectionID, receivedAt: Date()
        )
    }
}
