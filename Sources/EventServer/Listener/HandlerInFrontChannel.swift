import HummingbirdCore
import Logging
import NIOCore

/// A Hummingbird child channel that puts one handler in front of another child channel's pipeline at
/// each connection: the admin listener's TLS handler with the current certificate.
struct HandlerInFrontChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let name: String?
    /// Called on the connection's event loop, once per connection.
    let makeHandler: @Sendable () -> any ChannelHandler

    init(base: Base, name: String? = nil, makeHandler: @escaping @Sendable () -> any ChannelHandler) {
        self.base = base
        self.name = name
        self.makeHandler = makeHandler
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(makeHandler(), name: name)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
