import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Answers "does this port complete a TLS handshake right now?", for start-up timing.
public final class TLSProbe: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let sslContext: NIOSSLContext

    public init() throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        sslContext = try NIOSSLContext(configuration: tls)
    }

    /// Connects to 127.0.0.1:`port` and returns whether the TLS handshake finished.
    public func handshakes(port: Int) -> Bool {
        let loop = group.next()
        let done = loop.makePromise(of: Void.self)
        let sslContext = self.sslContext
        let connect = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port)
        connect.whenFailure { done.fail($0) }
        defer { connect.whenSuccess { $0.close(promise: nil) } }
        return (try? done.futureResult.wait()) != nil
    }

    public func shutdown() {
        try? group.syncShutdownGracefully()
    }
}

/// Completes its promise once, when NIOSSL reports the handshake done (or the channel fails).
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let done: EventLoopPromise<Void>
    private var settled = false

    init(done: EventLoopPromise<Void>) {
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { settle(nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(ClientError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(error)
        context.close(promise: nil)
    }

    private func settle(_ error: (any Error)?) {
        guard !settled else { return }
        settled = true
        if let error { done.fail(error) } else { done.succeed() }
    }
}
