import CoreMetrics
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// The handlers of each connection to the clients' listener, outermost first: the connection cap,
/// the handshake deadline, TLS with the current certificate, then HTTP/1 with NIO's websocket
/// upgrade (`PlainRequestHandler` answers what is not an upgrade).
///
/// An upgraded connection keeps NIO's websocket decoder, encoder and protocol error handler, and
/// gets zmes's session handlers behind them: the message aggregator, `SessionFrameHandler` and
/// `SessionFrameReader`. That is all an idle session is: no task, no stream, no HTTP state.
struct ClientPipeline: Sendable {
    let context: ServerContext
    let tls: TLSContextHolder?
    let connections: ConnectionLimit
    private let upgrader: NIOWebSocketServerUpgrader

    init(context: ServerContext, tls: TLSContextHolder?, connections: ConnectionLimit, closeTimeout: TimeAmount) {
        self.context = context
        self.tls = tls
        self.connections = connections
        let server = context.configuration.server
        let frameSettings = SessionFrameHandler.Settings(
            pingInterval: .milliseconds(Int64(server.pingInterval * 1_000)),
            closeTimeout: closeTimeout,
            dropped: Counter(label: "zmes_websocket_messages_dropped_total", factory: context.telemetry.factory))
        let resolver = ClientAddressResolver(trustedProxies: server.trustedProxies)
        /// Behind a trusted proxy the socket's peer is the proxy: the client is in X-Forwarded-For.
        @Sendable func clientAddress(_ channel: any Channel, _ request: HTTPRequestHead) -> String {
            resolver.clientAddress(peer: channel.remoteAddress?.ipAddress ?? "unknown", forwardedFor: request.headers["X-Forwarded-For"])
        }
        upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: context.frameCeiling,
            shouldUpgrade: { channel, request in
                let decided = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                decided.completeWithTask {
                    guard await context.sessions.count < server.maxSessions else {
                        context.logger.warning(
                            "websocket refused: server.max_sessions reached",
                            metadata: ["peer": "\(clientAddress(channel, request))", "max": "\(server.maxSessions)"])
                        return nil  // the request goes on as plain HTTP, and gets 426
                    }
                    return HTTPHeaders()
                }
                return decided.futureResult
            },
            upgradePipelineHandler: { channel, request in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    HandshakeDeadlineHandler.disarm(pipeline)
                    let frames = SessionFrameHandler(settings: frameSettings)
                    let writer = SessionWriter(channel: channel, frames: NIOLoopBound(frames, eventLoop: channel.eventLoop))
                    let connection = Connection(context: context, writer: writer, address: clientAddress(channel, request))
                    try pipeline.addHandlers([
                        // Real clients send a message in one frame; 128 fragments are more than any needs.
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: 128, maxAccumulatedFrameSize: context.frameCeiling),
                        frames,
                        SessionFrameReader(inbox: SerialInbox(connection)),
                    ])
                }
            })
    }

    /// Sets up a newly accepted connection; one past the connection limit is refused (and closed).
    func configure(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard connections.admit(channel) else { return channel.eventLoop.makeFailedFuture(ConnectionRefused()) }
        let handshakeTimeout = TimeAmount.milliseconds(Int64(context.configuration.server.handshakeTimeout * 1_000))
        return channel.eventLoop.makeCompletedFuture { [upgrader, tls, pictures = context.pictures] in
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(HandshakeDeadlineHandler(timeout: handshakeTimeout), name: HandshakeDeadlineHandler.name)
            if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls.current)) }
            try pipeline.configureHTTPServerPipeline(
                withServerUpgrade: (
                    upgraders: [upgrader],
                    completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(name: PlainRequestHandler.name, promise: nil)
                    }
                ))
            try pipeline.addHandler(PlainRequestHandler(pictures: pictures), name: PlainRequestHandler.name)
        }
    }

    /// Why the server bootstrap closed a connection at once: the connection limit is reached.
    struct ConnectionRefused: Error {}
}
