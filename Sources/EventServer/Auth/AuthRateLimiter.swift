import Foundation

/// Counts failed logins per client address and refuses further attempts from an
/// address past the limit until its window has passed.
///
/// zmNinja retries a wrong password every 10 s forever; that stays under the
/// limit. A password-guessing client does not, and its attempts are refused
/// without spending a bcrypt check. Other addresses are never affected.
public actor AuthRateLimiter {
    let maxFailures: Int
    let window: TimeInterval
    private var failures: [String: [Date]] = [:]

    public init(maxFailures: Int, window: TimeInterval) {
        self.maxFailures = maxFailures
        self.window = window
    }

    public func isLimited(_ address: String, now: Date = Date()) -> Bool {
        prune(address, now: now)
        return (failures[address]?.count ?? 0) >= maxFailures
    }

    public func recordFailure(_ address: String, now: Date = Date()) {
        prune(address, now: now)
        failures[address, default: []].append(now)
        if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty } }
    }

    private func prune(_ address: String, now: Date) {
        guard let times = failures[address] else { return }
        let recent = times.filter { now.timeIntervalSince($0) < window }
        failures[address] = recent.isEmpty ? nil : recent
    }
}
