import Model

/// Pushes finished in one minute with one outcome: what the console's chart draws.
public struct OutcomeCount: Sendable, Equatable {
    /// The minute, as whole minutes since 1970.
    public var minute: Int
    public var state: PushJobState
    public var count: Int

    public init(minute: Int, state: PushJobState, count: Int) {
        self.minute = minute
        self.state = state
        self.count = count
    }
}
