import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import ServiceLifecycle
import ZmesBenchSupport

/// The library floor for fan-out: the least a server built on Hummingbird's websocket
/// listener (as DESIGN.md has zmes built) keeps per session. Same certificate, TLS and
/// `auth` → `Success` exchange as the bare NIO reference; each session is Hummingbird's
/// connection task reading its messages, and alarms go straight into the channels, one
/// hop per event loop (the `Hub` the bare reference uses). No store, routing or registry.
enum HummingbirdReferenceServer {
    static func run(port: Int, adminPort: Int, certificate: String, key: String) async throws {
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let hub = Hub()
        var logger = Logger(label: "hummingbird-reference")
        logger.logLevel = .warning
        let router = Router()
        router.get("/**") { _, _ in Response(status: .upgradeRequired) }
        let success = #"{"event":"auth","type":"","version":"7.0","status":"Success","reason":"","server":"reference"}"#
        let webSocket = Application(
            router: router,
            server: try .tls(
                .http1WebSocketUpgrade(
                    configuration: .init(ws: .init(maxFrameSize: 1 << 16, autoPing: .disabled)),
                    shouldUpgrade: { _, channel, _ in
                        .upgrade([:]) { inbound, _, _ in
                            for try await message in inbound.messages(maxSize: 1 << 16) {
                                guard case .text(let text) = message, text.contains("\"auth\"") else { continue }
                                channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: success)), promise: nil)
                                hub.add(channel)
                            }
                            hub.remove(channel)
                        }
                    }),
                tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger)
        _ = try await AlarmIngestHandler.bind(port: adminPort, group: MultiThreadedEventLoopGroup.singleton, hub: hub).get()
        progress("hummingbird reference server listening on \(port), admin \(adminPort)")
        try await webSocket.runService()
    }
}
