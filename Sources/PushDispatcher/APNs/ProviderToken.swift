import Crypto
import Foundation
import Synchronization

/// The APNs provider JWT for one key, shared by every request on every connection.
///
/// Apple refuses a token older than an hour (ExpiredProviderToken) and one renewed
/// more often than every 20 minutes (TooManyProviderTokenUpdates), so it is renewed
/// after 50 minutes, or sooner only when Apple says it expired.
actor ProviderToken {
    static let lifetime: TimeInterval = 50 * 60
    static let minimumAge: TimeInterval = 20 * 60

    private let key: P256.Signing.PrivateKey
    private let keyID: String
    private let teamID: String
    private let persistence: ProviderTokenPersistence?
    private let telemetry: Telemetry
    private var current: (token: String, issuedAt: Date)? {
        didSet { snapshot.withLock { $0 = current.map { Issued(token: $0.token, issuedAt: $0.issuedAt) } } }
    }
    /// A copy of `current` that every push reads without an actor hop.
    private nonisolated let snapshot = Mutex<Issued?>(nil)
    private var loaded = false
    /// The one read of the stored token; concurrent first callers all wait for it.
    private var loading: Task<(token: String, issuedAt: Date)?, Never>?
    /// How many tokens were signed, for tests and metrics.
    private(set) var renewals = 0

    init(key: P256.Signing.PrivateKey, keyID: String, teamID: String, persistence: ProviderTokenPersistence? = nil, telemetry: Telemetry = .disabled) {
        self.telemetry = telemetry
        self.key = key
        self.keyID = keyID
        self.teamID = teamID
        self.persistence = persistence
    }

    private struct Issued: Sendable {
        var token: String
        var issuedAt: Date
    }

    /// The current token when it is still good, read without waiting on the actor.
    nonisolated func freshToken(now: Date = Date()) -> String? {
        snapshot.withLock { issued in
            guard let issued, Self.isFresh(issuedAt: issued.issuedAt, now: now) else { return nil }
            return issued.token
        }
    }

    private static func isFresh(issuedAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(issuedAt) < lifetime && issuedAt <= now.addingTimeInterval(60)
    }

    func token(now: Date = Date()) async throws -> String {
        if !loaded {
            let persistence = self.persistence
            let loading = self.loading ?? Task { await persistence?.load() }
            self.loading = loading
            let stored = await loading.value
            if !loaded {
                loaded = true
                current = stored
            }
        }
        if let current, Self.isFresh(issuedAt: current.issuedAt, now: now) {
            return current.token
        }
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let token = try JWT.es256(keyID: keyID, claims: ["iss": teamID, "iat": Int(issuedAt.timeIntervalSince1970)], key: key)
        current = (token, issuedAt)
        renewals += 1
        telemetry.count("zmes_token_renewals_total", [("kind", "apns_jwt")])
        await persistence?.save(token, issuedAt)
        return token
    }

    /// Apple said the token expired: the next request gets a new one (unless it is itself brand new).
    func expire(_ token: String, now: Date = Date()) {
        guard let current, current.token == token, now.timeIntervalSince(current.issuedAt) >= Self.minimumAge || now < current.issuedAt else {
            return
        }
        self.current = nil
    }
}

/// Where a provider token is kept between runs (the store), so restarts do not renew it.
struct ProviderTokenPersistence: Sendable {
    var load: @Sendable () async -> (token: String, issuedAt: Date)?
    var save: @Sendable (String, Date) async -> Void
}
