import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import CoreMetrics
import Logging
import NIOCore
import NIOSSL

/// The clients' listener: websocket upgrades on any path, `wss://` unless TLS is off, and the event
/// pictures that pushes link to under `/pictures/` (`PictureService`).
enum WebSocketListener {
    static func make(
        context: ServerContext,
        tls: TLSContextHolder?,
        connectionLimit: ConnectionLimit,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        let routes = Router()
        for path in ["/", "/**"] {
            routes.get(RouterPath(path)) { _, _ in
                Response(status: .upgradeRequired, headers: [.upgrade: "websocket"], body: .init(byteBuffer: ByteBuffer(string: "zmes: connect with a websocket client\n")))
            }
        }
        context.pictures?.register(on: routes)
        let connection = Connection(context: context)
        let server = context.configuration.server
        /// How long a close frame waits for the peer's answer, in the websocket layer and in zmes's frame handler alike.
        let closeTimeoutSeconds: Int64 = 5
        var http1 = HTTP1Channel.Configuration()
        http1.idleTimeout = .milliseconds(Int64(server.handshakeTimeout * 1_000))
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: http1,
            ws: WebSocketServerConfiguration(
                maxFrameSize: context.frameCeiling,
                autoPing: .disabled,  // SessionFrameHandler pings from the event loop: no task per session
                closeTimeout: .seconds(closeTimeoutSeconds)))
        let frameSettings = SessionFrameHandler.Settings(
            pingInterval: .milliseconds(Int64(server.pingInterval * 1_000)),
            closeTimeout: .seconds(closeTimeoutSeconds),
            dropped: Counter(label: "zmes_websocket_messages_dropped_total", factory: context.telemetry.factory))
        let resolver = ClientAddressResolver(trustedProxies: server.trustedProxies)
        let forwardedFor = HTTPField.Name("X-Forwarded-For")!
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { request, channel, _ in
            // Behind a trusted proxy the socket's peer is the proxy: the client is in X-Forwarded-For.
            let address = resolver.clientAddress(
                peer: channel.remoteAddress?.ipAddress ?? "unknown", forwardedFor: request.headerFields[values: forwardedFor])
            guard await context.sessions.count < server.maxSessions else {
                context.logger.warning("websocket refused: server.max_sessions reached", metadata: ["peer": "\(address)", "max": "\(server.maxSessions)"])
                return .dontUpgrade
            }
            await HandshakeDeadlineHandler.disarm(channel)
            return .upgrade([:]) { inbound, _, _ in
                try await SessionFrameHandler.install(on: channel, settings: frameSettings)
                try await connection.run(inbound: inbound, channel: channel, address: address)
            }
        }
        let deadline = TimeAmount.milliseconds(Int64(server.handshakeTimeout * 1_000))
        let builder = HTTPServerBuilder { responder in
            let webSocket = HTTP1WebSocketUpgradeChannel(responder: responder, configuration: channelConfiguration, shouldUpgrade: shouldUpgrade)
            // Outermost first: the connection cap, the handshake deadline, then TLS with the current certificate.
            if let tls {
                let encrypted = HandlerInFrontChannel(base: webSocket) { NIOSSLServerHandler(context: tls.current) }
                return ConnectionLimitChannel(base: withHandshakeDeadline(encrypted, deadline), limit: connectionLimit)
            }
            return ConnectionLimitChannel(base: withHandshakeDeadline(webSocket, deadline), limit: connectionLimit)
        }
        let configuration = context.configuration.server
        return Application(
            router: routes,
            server: builder,
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }
}

/// Closes the connection unless it becomes a websocket within `timeout` (`HandshakeDeadlineHandler`).
private func withHandshakeDeadline<Base: ServerChildChannel>(_ base: Base, _ timeout: TimeAmount) -> HandlerInFrontChannel<Base> {
    HandlerInFrontChannel(base: base, name: HandshakeDeadlineHandler.name) { HandshakeDeadlineHandler(timeout: timeout) }
}
