import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// The TLS context new connections get; SIGHUP swaps it, connections already open keep theirs.
public final class TLSContextHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var context: NIOSSLContext

    public init(_ configuration: TLSConfiguration) throws {
        context = try NIOSSLContext(configuration: configuration)
    }

    var current: NIOSSLContext { lock.withLock { context } }

    /// Makes a context from `configuration` and uses it for the next handshakes; on any error the old one stays.
    public func replace(with configuration: TLSConfiguration) throws {
        let fresh = try NIOSSLContext(configuration: configuration)
        lock.withLock { context = fresh }
    }
}

/// Hummingbird's `TLSChannel`, reading the context from a `TLSContextHolder` at each connection.
struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let contexts: TLSContextHolder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: contexts.current))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
