import Crypto
import Foundation

/// Local logins checked recently, so a reconnect storm is not one bcrypt check per phone.
///
/// After a restart every phone logs in at once; at bcrypt cost 10 that is about 38 checks a
/// second on two cores. Here a success is remembered for `lifetime` seconds, and checks of
/// the same login that are already running are joined instead of repeated.
///
/// What is remembered is an HMAC-SHA256, under a key made at start and held only in memory,
/// of the user, the stored password hash and the password: never the password. Because the
/// stored hash is part of it, a password change (a new hash) or a removed user (no hash to
/// check against) makes what was remembered useless at the next login, in every instance
/// sharing the store, with nothing to invalidate.
actor VerifiedLogins {
    /// Seconds a success is remembered; 0: every login is checked.
    let lifetime: TimeInterval
    private let key = SymmetricKey(size: .bits256)
    /// Each remembered login's fingerprint, with when it stops counting.
    private var remembered: [Data: Date] = [:]
    /// Checks under way, by fingerprint: a second login with the same password waits for the first.
    private var running: [Data: Task<Bool, Never>] = [:]
    private var nextSweep = Date.distantPast

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    /// Whether `password` is `user`'s, as `verify` (the slow check against `storedHash`) says,
    /// or as it said within `lifetime` seconds for the same user, stored hash and password.
    /// Failures are never remembered: each one is checked, and counted by the caller's limits.
    func check(user: String, password: String, storedHash: String, verify: @escaping @Sendable () async -> Bool) async -> Bool {
        guard lifetime > 0 else { return await verify() }
        let fingerprint = fingerprint(user: user, password: password, storedHash: storedHash)
        let now = Date()
        if let expiry = remembered[fingerprint] {
            if expiry > now { return true }
            remembered[fingerprint] = nil
        }
        if let check = running[fingerprint] { return await check.value }
        // Unstructured on purpose: the logins that joined it still need the answer if the first one goes away.
        let check = Task { await verify() }
        running[fingerprint] = check
        let matches = await check.value
        running[fingerprint] = nil
        if matches {
            forgetExpired(now)
            remembered[fingerprint] = now.addingTimeInterval(lifetime)
        }
        return matches
    }

    /// Whether this exact login succeeded within `lifetime` seconds; never runs a check.
    func remembers(user: String, password: String, storedHash: String) -> Bool {
        guard lifetime > 0 else { return false }
        return remembered[fingerprint(user: user, password: password, storedHash: storedHash)].map { $0 > Date() } ?? false
    }

    /// Drops expired entries at most once per `lifetime`, so memory stays bounded by the logins
    /// that succeeded within it.
    private func forgetExpired(_ now: Date) {
        guard now >= nextSweep else { return }
        remembered = remembered.filter { $0.value > now }
        nextSweep = now.addingTimeInterval(lifetime)
    }

    private func fingerprint(user: String, password: String, storedHash: String) -> Data {
        // Lengths first, so no two different triples give the same bytes.
        var message = Data()
        for field in [user, storedHash, password] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { message.append(contentsOf: $0) }
            message.append(contentsOf: bytes)
        }
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }
}
