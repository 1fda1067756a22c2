import NIOConcurrencyHelpers

/// What a `SerialInbox` hands its inputs to, one at a time.
protocol InboxConsumer: Sendable {
    associatedtype Input: Sendable
    mutating func consume(_ input: Input) async
}

/// Hands a session's inputs to its consumer one at a time, in the order they were posted, with a
/// task only while some are waiting.
///
/// Frames are read on the channel's event loop, but answering a message may wait on the store or
/// the auth backend. A task per session for the life of the connection would cost every idle
/// phone its stack and state; here the task starts with the first input posted to an empty inbox
/// and ends when the inbox is empty again, so 10,000 idle sessions hold no task at all.
/// The consumer is parked in the inbox between tasks, so only one task ever holds it.
final class SerialInbox<Consumer: InboxConsumer>: Sendable {
    private struct State {
        var pending: [Consumer.Input] = []
        /// The consumer while no task runs; `nil` while a task has it.
        var idle: Consumer?
    }

    private let state: NIOLockedValueBox<State>

    init(_ consumer: Consumer) {
        state = NIOLockedValueBox(State(idle: consumer))
    }

    /// Queues `input` behind those already posted; starts a task to consume them if none runs.
    func post(_ input: Consumer.Input) {
        let parked = state.withLockedValue { state -> Consumer? in
            state.pending.append(input)
            defer { state.idle = nil }
            return state.idle
        }
        guard let parked else { return }  // the running task will take it
        Task { await self.drain(parked) }
    }

    private func drain(_ consumer: Consumer) async {
        var consumer = consumer
        while let inputs = takePending(orPark: consumer) {
            for input in inputs { await consumer.consume(input) }
        }
    }

    /// Everything posted so far, or `nil` once the inbox is empty and `consumer` is parked again.
    private func takePending(orPark consumer: Consumer) -> [Consumer.Input]? {
        state.withLockedValue { state in
            guard !state.pending.isEmpty else {
                state.idle = consumer
                return nil
            }
            defer { state.pending = [] }  // no capacity kept while idle
            return state.pending
        }
    }
}
