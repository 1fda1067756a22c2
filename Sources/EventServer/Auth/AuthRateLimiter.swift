import Foundation

/// Counts login attempts per client (an IPv4 address or an IPv6 /64) and per user name,
/// and refuses attempts past either budget until its window has passed.
///
/// An attempt is counted *before* its password check and given back if the login succeeds,
/// so 16 guesses sent at once cannot all pass the check while none has failed yet: at most
/// `maxFailuresPerAddress` passwords per window are ever checked for one client. The per-user
/// budget stops a guesser spread over many addresses; it can also keep the real user out
/// while such an attack lasts, which is why it is larger and can be turned off.
///
/// zmNinja retries a wrong password every 10 s forever; that stays under the limits.
public actor AuthRateLimiter {
    public struct Limits: Sendable, Equatable {
        public var maxFailuresPerAddress: Int
        /// 0: no per-user limit.
        public var maxFailuresPerUser: Int
        public var window: TimeInterval
        /// Most addresses and user names tracked at once; past it the longest quiet are forgotten.
        public var capacity: Int

        public init(maxFailuresPerAddress: Int, maxFailuresPerUser: Int = 0, window: TimeInterval, capacity: Int = 100_000) {
            self.maxFailuresPerAddress = maxFailuresPerAddress
            self.maxFailuresPerUser = maxFailuresPerUser
            self.window = window
            self.capacity = capacity
        }
    }

    /// Why an attempt was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case address
        case user
    }

    /// One attempt counted ahead of its password check.
    public struct Reservation: Sendable {
        let addressKey: String
        let userKey: String?
        let at: Date
    }

    let limits: Limits
    private var byAddress: [String: [Date]] = [:]
    private var byUser: [String: [Date]] = [:]
    private var lastSweep = Date.distantPast

    public init(limits: Limits) {
        self.limits = limits
    }

    public init(maxFailures: Int, window: TimeInterval) {
        self.init(limits: Limits(maxFailuresPerAddress: maxFailures, window: window))
    }

    /// How many addresses and user names are tracked now.
    public var trackedCount: Int { byAddress.count + byUser.count }

    /// The key a client's attempts count against: the address for IPv4, its /64 for IPv6.
    public static func key(forAddress address: String) -> String {
        IPAddress(address)?.rateLimitKey ?? address
    }

    /// Why an attempt by `user` from `address` would be refused now, without counting one:
    /// a login answered without a password check (a remembered success) must still be refused
    /// while a limit lasts, or it would be a free oracle for guesses.
    public func refusal(address: String, user: String, now: Date = Date()) -> Refusal? {
        if recent(byAddress[Self.key(forAddress: address)], now: now).count >= limits.maxFailuresPerAddress { return .address }
        if let userKey = userKey(user), recent(byUser[userKey], now: now).count >= limits.maxFailuresPerUser { return .user }
        return nil
    }

    /// Counts an attempt by `user` from `address` unless either budget is spent (``refusal(address:user:now:)``).
    public func reserve(address: String, user: String, now: Date = Date()) throws(Refusal) -> Reservation {
        sweepIfDue(now)
        if let refusal = refusal(address: address, user: user, now: now) { throw refusal }
        let addressKey = Self.key(forAddress: address)
        let userKey = userKey(user)
        if let userKey { byUser[userKey] = recent(byUser[userKey], now: now) + [now] }
        byAddress[addressKey] = recent(byAddress[addressKey], now: now) + [now]
        return Reservation(addressKey: addressKey, userKey: userKey, at: now)
    }

    /// The key a user name's attempts count against, or nil when there is no per-user limit.
    private func userKey(_ user: String) -> String? {
        limits.maxFailuresPerUser > 0 ? String(user.prefix(256)) : nil
    }

    /// The login succeeded: its attempt was not a failure.
    public func release(_ reservation: Reservation) {
        Self.remove(reservation.at, from: reservation.addressKey, in: &byAddress)
        if let userKey = reservation.userKey { Self.remove(reservation.at, from: userKey, in: &byUser) }
    }

    /// Forgets every window that has passed and, past `capacity`, the longest quiet keys.
    public func sweep(now: Date = Date()) {
        lastSweep = now
        byAddress = pruned(byAddress, now: now)
        byUser = pruned(byUser, now: now)
        // An attacker spraying addresses must not grow memory without bound; the keys quiet
        // longest are the least likely to matter. Room is left for the next attempts.
        let target = limits.capacity - max(2, limits.capacity / 10)
        let excess = trackedCount - target
        guard excess > 0 else { return }
        let quietest = (byAddress.map { ($0.key, $0.value.last ?? now, true) } + byUser.map { ($0.key, $0.value.last ?? now, false) })
            .sorted { $0.1 < $1.1 }
            .prefix(excess)
        for (key, _, isAddress) in quietest {
            if isAddress { byAddress[key] = nil } else { byUser[key] = nil }
        }
    }

    private func sweepIfDue(_ now: Date) {
        // An attempt adds at most two keys: sweep before they could pass the capacity.
        if now.timeIntervalSince(lastSweep) >= limits.window || trackedCount + 2 > limits.capacity {
            sweep(now: now)
        }
    }

    private func pruned(_ table: [String: [Date]], now: Date) -> [String: [Date]] {
        var kept: [String: [Date]] = [:]
        for (key, times) in table {
            let times = recent(times, now: now)
            if !times.isEmpty { kept[key] = times }
        }
        return kept
    }

    private func recent(_ times: [Date]?, now: Date) -> [Date] {
        guard let times else { return [] }
        return times.filter { now.timeIntervalSince($0) < limits.window }
    }

    private static func remove(_ time: Date, from key: String, in table: inout [String: [Date]]) {
        guard var times = table[key], let index = times.firstIndex(of: time) else { return }
        times.remove(at: index)
        table[key] = times.isEmpty ? nil : times
    }
}
