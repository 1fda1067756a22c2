import Storage

/// The dispatcher's view of which credentials are broken: the store's marks, read at most once
/// per `lifetime` instead of once per claim (and again at once after a reload or after this
/// dispatcher marked one), and the ones a provider refused since, before their mark is written:
/// a push after a refusal must not wait for the store to learn of it.
struct BrokenCredentials {
    private var marks: [String: String] = [:]
    private var readAt: ContinuousClock.Instant?
    private var sendersGeneration = -1
    /// Refused by a provider, mark not yet written to the store.
    private var refusedNotYetMarked: [String: String] = [:]

    /// A provider refused the credential: it counts as broken from now on.
    mutating func refused(_ name: String, reason: String) {
        refusedNotYetMarked[name] = reason
    }

    /// The store now holds these marks: the next `current` reads them from there.
    mutating func marked(_ names: Set<String>) {
        guard !names.isEmpty else { return }
        readAt = nil
        for name in names { refusedNotYetMarked.removeValue(forKey: name) }
    }

    /// - Returns: broken credential names and why; the store's part is empty when it cannot be read.
    mutating func current(store: any Store, senders generation: Int, lifetime: Duration) async -> [String: String] {
        let now = ContinuousClock.now
        let fresh = readAt.map { generation == sendersGeneration && now - $0 < lifetime } ?? false
        if !fresh {
            marks = (try? await store.brokenCredentials()) ?? [:]
            readAt = now
            sendersGeneration = generation
        }
        return marks.merging(refusedNotYetMarked) { stored, _ in stored }
    }
}
