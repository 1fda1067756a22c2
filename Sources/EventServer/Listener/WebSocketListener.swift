import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL

/// The clients' listener: websocket upgrades on any path, `wss://` unless TLS is off.
enum WebSocketListener {
    static func make(
        context: ServerContext,
        tls: TLSConfiguration?,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router()
        router.get("/**") { _, _ in
            Response(status: .upgradeRequired, headers: [.upgrade: "websocket"], body: .init(byteBuffer: ByteBuffer(string: "zmes: connect with a websocket client\n")))
        }
        let connection = Connection(context: context)
        let webSocket = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(
                ws: WebSocketServerConfiguration(
                    maxFrameSize: context.frameCeiling,
                    autoPing: .enabled(timePeriod: .seconds(30)),
                    closeTimeout: .seconds(5)))
        ) { _, channel, _ in
            let address = channel.remoteAddress?.ipAddress ?? "unknown"
            return .upgrade([:]) { inbound, outbound, _ in
                try await connection.run(inbound: inbound, outbound: outbound, address: address)
            }
        }
        let server = try tls.map { try HTTPServerBuilder.tls(webSocket, tlsConfiguration: $0) } ?? webSocket
        let configuration = context.configuration.server
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }
}
