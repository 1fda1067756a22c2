import Model
import Synchronization

/// The senders in use and the provider choice they imply, swapped whole when the
/// credentials are reloaded (SIGHUP) while pushes are in flight.
public final class RouteTable: Sendable {
    private struct Contents {
        var routes: [PushProvider: Dispatcher.Route]
        var selection: ProviderSelection
    }

    private let contents: Mutex<Contents>

    public init(routes: [PushProvider: Dispatcher.Route], selection: ProviderSelection) {
        contents = Mutex(Contents(routes: routes, selection: selection))
    }

    public var routes: [PushProvider: Dispatcher.Route] { contents.withLock { $0.routes } }
    public var selection: ProviderSelection { contents.withLock { $0.selection } }

    public func replace(routes: [PushProvider: Dispatcher.Route], selection: ProviderSelection) {
        contents.withLock { $0 = Contents(routes: routes, selection: selection) }
    }
}
