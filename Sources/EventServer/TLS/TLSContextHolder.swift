import Foundation
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
