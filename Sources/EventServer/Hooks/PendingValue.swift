/// A result that arrives later (a hook's outcome, an API answer), awaited with a deadline: a waiter
/// that gives up leaves the work running, so waiting never extends how long the work may take.
actor PendingValue<Value: Sendable> {
    private var value: Value?
    private var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
    private var nextWaiter = 0

    /// Runs `work` in a task of its own and returns at once.
    static func start(_ work: @escaping @Sendable () async -> Value) -> PendingValue<Value> {
        let pending = PendingValue<Value>()
        Task { await pending.finish(await work()) }
        return pending
    }

    func finish(_ value: Value) {
        self.value = value
        for waiter in waiters.values { waiter.resume(returning: value) }
        waiters = [:]
    }

    /// The value, or nil if it has not come by `deadline`.
    func value(until deadline: ContinuousClock.Instant) async -> Value? {
        if let value { return value }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { waiters[id] = $0 }
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume(returning: nil)
    }
}
