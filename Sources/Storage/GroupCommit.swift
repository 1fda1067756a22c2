/// Writes that arrive while a transaction is being committed are committed together in the next one.
///
/// SQLite has one writer, and each transaction costs its own lock, WAL frames and commit: one
/// transaction per alarm caps how many alarms a second can be recorded, however many arrive at once
/// (in WAL mode the commit itself seldom waits for the disk here: BENCHMARKS.md, section 1). Here the first
/// write starts a commit at once (no added wait when writes are rare); the ones that arrive meanwhile
/// wait and go in the next commit together, each with its own outcome (`commit` gives one per write).
actor GroupCommit<Write: Sendable, Output: Sendable> {
    typealias Commit = @Sendable ([Write]) async -> [Result<Output, any Error>]

    private let commit: Commit
    private var waiting: [(write: Write, reply: CheckedContinuation<Output, any Error>)] = []
    private var committing = false

    /// - Parameter commit: writes the batch, in one transaction where it can, and returns each write's
    ///   outcome in order; a failure of the whole transaction is every write's failure.
    init(_ commit: @escaping Commit) {
        self.commit = commit
    }

    func submit(_ write: Write) async throws -> Output {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((write, reply))
            guard !committing else { return }
            committing = true
            // Unstructured: the writers it answers come and go; it ends when nobody is waiting.
            Task { await self.commitWhileWaiting() }
        }
    }

    private func commitWhileWaiting() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            let outcomes = await commit(batch.map(\.write))
            for (index, entry) in batch.enumerated() {
                entry.reply.resume(with: index < outcomes.count ? outcomes[index] : .failure(GroupCommitError.noOutcome))
            }
        }
        committing = false
    }
}

/// The commit returned fewer outcomes than writes: a programming error, reported rather than hung on.
struct GroupCommitError: Error, CustomStringConvertible {
    static let noOutcome = GroupCommitError()
    var description: String { "internal error: a grouped write got no outcome" }
}
