import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// One TLS handshake with chosen protocol versions and no verification: which certificate does the
/// server present, and does it accept the versions offered?
public enum TLSProbe {
    /// The DER bytes of the certificate the server presented; throws when the handshake fails.
    public static func peerCertificate(
        port: Int, host: String = "127.0.0.1", minimumVersion: TLSVersion = .tlsv1, maximumVersion: TLSVersion? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> [UInt8] {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.minimumTLSVersion = minimumVersion
        configuration.maximumTLSVersion = maximumVersion
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: promise))
                }
            }
            .connect(host: host, port: port).get()
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(TestFailure("no TLS handshake with \(host):\(port) within \(timeout)"))
        }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }
}

private final class HandshakeWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<[UInt8]>

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            do {
                let handler = try context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                guard let certificate = handler.peerCertificate else { throw TestFailure("the server presented no certificate") }
                promise.succeed(try certificate.toDERBytes())
            } catch {
                promise.fail(error)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(TestFailure("the server closed the connection during the TLS handshake"))
        context.fireChannelInactive()
    }
}
