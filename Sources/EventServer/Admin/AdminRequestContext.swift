import Hummingbird
import NIOCore

/// The admin listener's request context: Hummingbird's basics and the peer's address, so the
/// console's failed logins count against the client's own address (as websocket logins do).
struct AdminRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
