import Model
import Synchronization

/// The senders in use and the provider choice they imply, swapped whole when the
/// credentials are reloaded (SIGHUP) while pushes are in flight.
public final class SenderTable: Sendable {
    private struct Contents {
        var senders: [PushProvider: CredentialSender]
        var selection: ProviderSelection
        var generation = 0
    }

    private let contents: Mutex<Contents>

    public init(senders: [PushProvider: CredentialSender], selection: ProviderSelection) {
        contents = Mutex(Contents(senders: senders, selection: selection))
    }

    public var senders: [PushProvider: CredentialSender] { contents.withLock { $0.senders } }
    public var selection: ProviderSelection { contents.withLock { $0.selection } }
    /// Changes on every `replace`, so readers know their cached view of the credentials is stale.
    public var generation: Int { contents.withLock { $0.generation } }

    public func replace(senders: [PushProvider: CredentialSender], selection: ProviderSelection) {
        contents.withLock { $0 = Contents(senders: senders, selection: selection, generation: $0.generation + 1) }
    }
}
