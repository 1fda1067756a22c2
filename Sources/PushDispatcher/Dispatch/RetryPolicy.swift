import Foundation

/// When to try a failed push again: exponential backoff with full jitter, never
/// sooner than the provider's `Retry-After`, and never past the push's max age.
///
/// A first attempt whose connection was lost (``PushOutcome/connectionLost(reason:)``) is tried
/// again at once: HTTP/2 servers end connections under requests in flight as a matter of course
/// (nginx after every 1,000 requests, APNs when it rebalances), and a backoff of a second per
/// push caught that way was most of the tail of a large alarm (BENCHMARKS.md, section 1).
public struct RetryPolicy: Sendable {
    public var base: TimeInterval = 1
    public var cap: TimeInterval = 300
    public var maxAge: TimeInterval

    public init(maxAge: TimeInterval) {
        self.maxAge = maxAge
    }

    /// The next attempt's time, or `nil` when it would fall past the max age.
    public func nextAttempt(
        after attempts: Int, retryAfter: Duration?, connectionLost: Bool = false, agedFrom: Date, now: Date = Date()
    ) -> Date? {
        let exponential = min(cap, base * pow(2, Double(max(0, attempts - 1))))
        var delay = connectionLost && attempts <= 1 ? 0 : Double.random(in: exponential / 2...exponential)
        if let retryAfter {
            let hint = Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18
            delay = max(delay, hint)
        }
        let next = now.addingTimeInterval(delay)
        return next.timeIntervalSince(agedFrom) > maxAge ? nil : next
    }
}
