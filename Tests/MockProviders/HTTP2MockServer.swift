import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Decides the reply to one complete request. Runs concurrently for concurrent streams.
public typealias MockRequestHandler = @Sendable (RecordedRequest) async -> MockReply

/// The shared core of the mocks: HTTP/2 over TLS (ALPN h2) on loopback, one
/// request handler per stream, accepted connections counted.
///
/// Kept provider-agnostic so each mock is only its provider's rules.
public final class HTTP2MockServer: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients, what APNs allows once authenticated.
    public static let maxConcurrentStreams = 1000

    /// The listening port, chosen by the system.
    public let port: Int
    public let host: String
    private let listener: any Channel
    private let connections: ConnectionRegistry

    /// Starts listening on `host` (default 127.0.0.1), port chosen by the system.
    /// - Parameter answersBeforeRequestBody: answer each request as soon as its headers arrive and
    ///   never read its body, so a body larger than the stream's window (64 KiB) is never taken:
    ///   a server that answers early and leaves the stream open, as some real ones do.
    public init(
        tlsConfiguration: TLSConfiguration, host: String = "127.0.0.1", answersBeforeRequestBody: Bool = false,
        handler: @escaping MockRequestHandler
    ) async throws {
        let sslContext = try NIOSSLContext(configuration: tlsConfiguration)
        let registry = ConnectionRegistry()
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: Self.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
        ]
        // A 1 MiB connection window so a thousand small concurrent pushes never wait on WINDOW_UPDATE.
        configuration.targetWindowSize = 1 << 20
        let connectionConfiguration = configuration
        var streamSettings = NIOHTTP2Handler.StreamConfiguration()
        // libcurl 7.88 (Debian 12) ends many finished streams with an RST_STREAM of its own. NIO's
        // rapid-reset guard (200 per 30 s) answers a burst of pushes with GOAWAY ENHANCE_YOUR_CALM;
        // Apple's and Google's front ends do not, so neither does the mock.
        streamSettings.streamResetFrameRateLimit.maximumCount = 1_000_000
        let streamConfiguration = streamSettings

        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeFutureWithTask {
                    await registry.opened(channel)
                }.flatMapThrowing { connectionID in
                    channel.closeFuture.whenComplete { _ in
                        Task { await registry.closed(connectionID) }
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: sslContext))
                    _ = try sync.configureHTTP2Pipeline(
                        mode: .server,
                        connectionConfiguration: connectionConfiguration,
                        streamConfiguration: streamConfiguration
                    ) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(
                                HTTP2StreamHandler(connectionID: connectionID, answersBeforeBody: answersBeforeRequestBody, handler: handler)
                            )
                        }
                    }
                }
            }
        let listener = try await bootstrap.bind(host: host, port: 0).get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw ChannelError.unknownLocalAddress
        }
        self.host = host
        self.port = port
        self.listener = listener
        self.connections = registry
    }

    /// TCP connections accepted so far.
    public func connectionCount() async -> Int { await connections.count }

    /// TCP connections currently open.
    public func openConnectionCount() async -> Int { await connections.openCount }

    /// Closes every open connection without GOAWAY, as a provider restart or network cut would.
    public func dropConnections() async { await connections.closeAll() }

    /// Stops listening and closes every connection.
    public func shutdown() async {
        try? await listener.close()
        await connections.closeAll()
    }
}
