import Synchronization

/// Set once when the dispatcher is asked to stop; read by its loop, which runs uncancelled.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
