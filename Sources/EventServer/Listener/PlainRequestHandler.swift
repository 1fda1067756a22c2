import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Answers the HTTP requests on the websocket listener that are not websocket upgrades: the event
/// pictures that pushes link to (`PictureService`, when `pictures.enabled`), and 426 for the rest.
///
/// It sits behind NIO's upgrade handler, which passes it every request it does not upgrade
/// (including upgrades refused at `server.max_sessions`), and is removed when a connection upgrades.
final class PlainRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "zmes.plain-request"

    private let pictures: PictureService?
    private var request: HTTPRequestHead?

    init(pictures: PictureService?) {
        self.pictures = pictures
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break  // no route here takes a body
        case .end:
            guard let head = request else { return }
            request = nil
            answer(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused or malformed upgrade: the request itself comes next and gets its answer.
        guard !(error is NIOWebSocketUpgradeError || error is HTTPServerUpgradeErrors) else { return }
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET else {
            return respond(to: head, .methodNotAllowed, headers: [("Allow", "GET")], text: "zmes: only GET is answered here\n", context: context)
        }
        switch PictureRequest.target(of: head.uri) {
        case .picture(let picture) where pictures != nil:
            answerPicture(picture, to: head, context: context)
        case .notAPicture where pictures != nil:
            respond(to: head, .notFound, text: "zmes: no such picture\n", context: context)
        case .picture, .notAPicture, .elsewhere:
            respond(to: head, .upgradeRequired, headers: [("Upgrade", "websocket")], text: "zmes: connect with a websocket client\n", context: context)
        }
    }

    private func answerPicture(_ picture: PictureRequest, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let pictures else { return }
        let answered = context.eventLoop.makePromise(of: PictureService.Answer.self)
        answered.completeWithTask {
            await pictures.answer(eventId: picture.eventId, frame: picture.frame, expiry: picture.expiry, signature: picture.signature)
        }
        answered.futureResult.assumeIsolated().whenSuccess { answer in
            let status = HTTPResponseStatus(statusCode: Int(answer.status.code))
            guard let jpeg = answer.jpeg else {
                return self.respond(to: head, status, text: answer.message, context: context)
            }
            // Private: the picture is the user's; a shared cache in between must not keep it.
            let headers = [("Content-Type", "image/jpeg"), ("Cache-Control", "private, max-age=\(pictures.links.lifetime)")]
            self.respond(to: head, status, headers: headers, body: context.channel.allocator.buffer(bytes: jpeg), context: context)
        }
    }

    private func respond(
        to head: HTTPRequestHead, _ status: HTTPResponseStatus, headers: [(String, String)] = [], text: String,
        context: ChannelHandlerContext
    ) {
        let body = context.channel.allocator.buffer(string: text)
        respond(to: head, status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: body, context: context)
    }

    private func respond(
        to head: HTTPRequestHead, _ status: HTTPResponseStatus, headers: [(String, String)], body: ByteBuffer,
        context: ChannelHandlerContext
    ) {
        var fields = HTTPHeaders(headers)
        fields.add(name: "Content-Length", value: "\(body.readableBytes)")
        fields.add(name: "Server", value: "zmes")
        if !head.isKeepAlive { fields.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
