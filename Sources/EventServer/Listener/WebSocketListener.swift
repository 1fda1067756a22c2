import NIOCore
import NIOPosix
import ServiceLifecycle

/// The clients' listener: websocket upgrades on any path, `wss://` unless TLS is off, and the event
/// pictures that pushes link to under `/pictures/`.
///
/// It is built on swift-nio's own HTTP/1 and websocket handlers (`ClientPipeline`), not on
/// Hummingbird as the admin listener is: Hummingbird's websocket keeps a task, an HTTP/1 channel
/// and an async channel for the life of every connection, which doubled the memory of an idle
/// session (issue 17, BENCHMARKS.md section 2).
struct WebSocketListener: Sendable {
    let context: ServerContext
    let tls: TLSContextHolder?
    let connections: ConnectionLimit
    /// Called with the bound port (the configured one, or the system's choice for port 0).
    let onRunning: @Sendable (Int) async -> Void

    /// How long a close frame waits for the peer's answer before the socket is closed.
    static let closeTimeout = TimeAmount.seconds(5)

    /// Listens until a graceful shutdown or cancellation; then stops accepting, lets the open
    /// connections finish (sessions close after their close handshake) and returns once they have.
    func run() async throws {
        let server = context.configuration.server
        let pipeline = ClientPipeline(context: context, tls: tls, connections: connections, closeTimeout: Self.closeTimeout)
        let listening = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in pipeline.configure(channel) }
            .bind(host: server.address, port: server.port)
            .get()
        await onRunning(listening.localAddress?.port ?? server.port)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await listening.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            listening.close(promise: nil)
        }
        await connections.finishAll(within: Self.closeTimeout + .seconds(1))
    }
}
