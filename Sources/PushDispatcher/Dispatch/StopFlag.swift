import Synchronization

/// Set once when a loop that runs uncancelled is asked to stop (the dispatcher's; the console's live
/// updates on graceful shutdown); read by the loop.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { value.load(ordering: .acquiring) }

    public func set() { value.store(true, ordering: .releasing) }
}
