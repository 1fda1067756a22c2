/// At most `limit` hooks run at once; up to `queueLimit` more wait, in order, for a slot. Past that a hook
/// is refused (dropped) rather than piling up behind slow ones.
actor HookSlots {
    let limit: Int
    let queueLimit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, queueLimit: Int) {
        self.limit = limit
        self.queueLimit = queueLimit
    }

    /// Waits for a slot; false, at once, when the queue is full. A true answer must be paired with `release`.
    func acquire() async -> Bool {
        if running < limit {
            running += 1
            return true
        }
        guard waiting.count < queueLimit else { return false }
        await withCheckedContinuation { waiting.append($0) }
        return true
    }

    /// Hands the slot to the first waiting hook, if any.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
