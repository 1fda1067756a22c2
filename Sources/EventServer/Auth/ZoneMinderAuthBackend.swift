import Crypto
import Foundation
import Model
import Storage
import ZoneMinder

/// Checks websocket logins against ZoneMinder's API login; the user's visible monitors
/// come from the API with that user's token.
///
/// zmNinja reconnects in storms, so a successful check is cached for `cacheLifetime`
/// as a salted SHA-256 of the password (never the password itself).
public actor ZoneMinderAuthBackend: AuthBackend {
    private struct CachedLogin {
        var salt: [UInt8]
        var digest: [UInt8]
        var monitors: MonitorSet
        var expiresAt: Date
    }

    let api: ZoneMinderAPI
    let store: Store
    let cacheLifetime: TimeInterval
    private var cache: [String: CachedLogin] = [:]

    public init(api: ZoneMinderAPI, store: Store, cacheLifetime: TimeInterval = 300) {
        self.api = api
        self.store = store
        self.cacheLifetime = cacheLifetime
    }

    public func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser {
        let now = Date()
        if let cached = cache[user], cached.expiresAt > now, Self.digest(password, salt: cached.salt) == cached.digest {
            return AuthenticatedUser(name: user, monitors: cached.monitors)
        }
        let monitors: MonitorSet
        do {
            let session = try await api.login(user: user, password: password)
            monitors = .only(Set(try await api.monitors(session: session).map(\.id)))
        } catch {
            switch error {
            case .badCredentials:
                cache[user] = nil
                throw .badCredentials
            case .unreachable(let reason), .unexpected(_, let reason):
                throw .unavailable(reason)
            }
        }
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        cache[user] = CachedLogin(salt: salt, digest: Self.digest(password, salt: salt), monitors: monitors, expiresAt: now.addingTimeInterval(cacheLifetime))
        try? await store.saveRemotePermissions(user: user, monitors: monitors)
        return AuthenticatedUser(name: user, monitors: monitors)
    }

    public func monitorPermissions() async throws -> MonitorPermissions {
        MonitorPermissions(byUser: try await store.remotePermissions())
    }

    public func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions {
        MonitorPermissions(byUser: try await store.remotePermissions(users: users))
    }

    private static func digest(_ password: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(password.utf8)))
    }
}
