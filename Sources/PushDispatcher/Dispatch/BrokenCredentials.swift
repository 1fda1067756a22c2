import Storage

/// The dispatcher's view of which credentials are marked broken, read from the store at
/// most once per `lifetime` instead of once per claim, and again at once after a reload
/// or after this dispatcher marked one.
struct BrokenCredentials {
    private var marks: [String: String] = [:]
    private var readAt: ContinuousClock.Instant?
    private var sendersGeneration = -1

    mutating func invalidate() {
        readAt = nil
    }

    /// - Returns: broken credential names and why; empty when the store cannot be read.
    mutating func current(store: any Store, senders generation: Int, lifetime: Duration) async -> [String: String] {
        let now = ContinuousClock.now
        if let readAt, generation == sendersGeneration, now - readAt < lifetime { return marks }
        marks = (try? await store.brokenCredentials()) ?? [:]
        readAt = now
        sendersGeneration = generation
        return marks
    }
}
