/// The start hooks of recent events, so an event's end can ask how its start's hook did
/// (`hooks.end_notify_if_start_success`). Keeps the last `capacity` events; an end takes its start's entry.
actor StartOutcomes {
    struct Event: Hashable {
        var monitorId: Int
        var eventId: Int
    }

    let capacity: Int
    private var hooks: [Event: PendingValue<HookOutcome>] = [:]
    private var order: [Event] = []

    init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    func remember(_ hook: PendingValue<HookOutcome>, for event: Event) {
        if hooks.updateValue(hook, forKey: event) == nil { order.append(event) }
        while order.count > capacity { hooks[order.removeFirst()] = nil }
    }

    /// The start hook of `event`, forgotten once taken; nil when none ran (or it is too old).
    func take(_ event: Event) -> PendingValue<HookOutcome>? {
        guard let hook = hooks.removeValue(forKey: event) else { return nil }
        order.removeAll { $0 == event }
        return hook
    }
}
