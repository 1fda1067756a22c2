import Foundation

/// When to try a failed push again: exponential backoff with full jitter, never
/// sooner than the provider's `Retry-After`, and never past the push's max age.
public struct RetryPolicy: Sendable {
    public var base: TimeInterval = 1
    public var cap: TimeInterval = 300
    public var maxAge: TimeInterval

    public init(maxAge: TimeInterval) {
        self.maxAge = maxAge
    }

    /// The next attempt's time, or `nil` when it would fall past the max age.
    public func nextAttempt(after attempts: Int, retryAfter: Duration?, agedFrom: Date, now: Date = Date()) -> Date? {
        let exponential = min(cap, base * pow(2, Double(max(0, attempts - 1))))
        var delay = Double.random(in: exponential / 2...exponential)
        if let retryAfter {
            let hint = Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18
            delay = max(delay, hint)
        }
        let next = now.addingTimeInterval(delay)
        return next.timeIntervalSince(agedFrom) > maxAge ? nil : next
    }
}
