import Model
import Synchronization

/// The senders in use and the provider choice they imply, swapped whole when the
/// credentials are reloaded (SIGHUP) while pushes are in flight.
public final class RouteTable: Sendable {
    private struct Contents {
        var routes: [PushProvider: Dispatcher.Route]
        var selection: ProviderSelection
        var generation = 0
    }

    private let contents: Mutex<Contents>

    public init(routes: [PushProvider: Dispatcher.Route], selection: ProviderSelection) {
        contents = Mutex(Contents(routes: routes, selection: selection))
    }

    public var routes: [PushProvider: Dispatcher.Route] { contents.withLock { $0.routes } }
    public var selection: ProviderSelection { contents.withLock { $0.selection } }
    /// Changes on every `replace`, so readers know their cached view of the credentials is stale.
    public var generation: Int { contents.withLock { $0.generation } }

    public func replace(routes: [PushProvider: Dispatcher.Route], selection: ProviderSelection) {
        contents.withLock { $0 = Contents(routes: routes, selection: selection, generation: $0.generation + 1) }
    }
}
