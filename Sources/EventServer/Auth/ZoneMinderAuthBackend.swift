import Crypto
import Foundation
import Logging
import Model
import Storage
import ZoneMinder

/// Checks websocket logins against ZoneMinder's API login; the user's visible monitors
/// come from the API with that user's token.
///
/// zmNinja reconnects in storms, so a successful check is cached for `cacheLifetime`
/// as a salted SHA-256 of the password (never the password itself).
///
/// What a user may see is kept in the store (so their phones get pushes after a restart) but
/// trusted only for `recheckAfter`: then ZoneMinder is asked again, with the API token of
/// the user's last login (held in memory only). A user ZoneMinder no longer accepts (removed,
/// disabled, tokens revoked) loses their permissions at once; when ZoneMinder cannot be asked
/// (down, or no live token, e.g. after a restart) the last answer is used for `grace` more
/// seconds, then dropped until the user logs in again.
public actor ZoneMinderAuthBackend: AuthBackend {
    private struct CachedLogin {
        var salt: [UInt8]
        var digest: [UInt8]
        var monitors: MonitorSet
        var expiresAt: Date
    }

    let api: ZoneMinderAPI
    let store: any Store
    let cacheLifetime: TimeInterval
    let recheckAfter: TimeInterval
    let grace: TimeInterval
    let logger: Logger
    private var cache: [String: CachedLogin] = [:]
    /// Each user's ZoneMinder API session from their last login, to re-check their monitors
    /// without their password. Never written to the store: it is a credential.
    private var apiSessions: [String: ZoneMinderSession] = [:]
    /// Users ZoneMinder could not be asked about, and when to try again (one warning per outage).
    private var retryAt: [String: Date] = [:]

    public init(
        api: ZoneMinderAPI, store: any Store, cacheLifetime: TimeInterval = 300, recheckAfter: TimeInterval = 300,
        grace: TimeInterval = 86_400, logger: Logger = Logger(label: "zmes.zoneminder-auth")
    ) {
        self.api = api
        self.store = store
        self.cacheLifetime = cacheLifetime
        self.recheckAfter = recheckAfter
        self.grace = grace
        self.logger = logger
    }

    /// Permissions verified before this are no longer used.
    private func oldestTrusted(_ now: Date) -> Date {
        now.addingTimeInterval(-(recheckAfter + grace))
    }

    public func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser {
        let now = Date()
        if let cached = cache[user], cached.expiresAt > now, Self.digest(password, salt: cached.salt) == cached.digest {
            return AuthenticatedUser(name: user, monitors: cached.monitors)
        }
        let monitors: MonitorSet
        let session: ZoneMinderSession
        do {
            session = try await api.login(user: user, password: password)
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
        // Never longer than the permissions it carries are trusted.
        let lifetime = min(cacheLifetime, recheckAfter + grace)
        cache[user] = CachedLogin(salt: salt, digest: Self.digest(password, salt: salt), monitors: monitors, expiresAt: now.addingTimeInterval(lifetime))
        apiSessions[user] = session
        do {
            try await store.saveRemotePermissions(user: user, monitors: monitors)
        } catch {
            // The login stands; pushes for this user wait until the next login or recheck stores them.
            logger.error("cannot store the user's ZoneMinder permissions", metadata: ["user": "\(loggedText(user))", "error": "\(error)"])
        }
        return AuthenticatedUser(name: user, monitors: monitors)
    }

    public func monitorPermissions() async throws -> MonitorPermissions {
        MonitorPermissions(byUser: try await store.remotePermissions(verifiedSince: oldestTrusted(Date())))
    }

    public func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions {
        MonitorPermissions(byUser: try await store.remotePermissions(users: users, verifiedSince: oldestTrusted(Date())))
    }

    /// Asks ZoneMinder again about every user checked more than `recheckAfter` ago, with
    /// that user's token from their last login.
    public func recheck() async {
        let now = Date()
        let due: [String]
        do {
            due = try await store.remoteUsers(verifiedBefore: now.addingTimeInterval(-recheckAfter))
        } catch {
            logger.error("cannot read the ZoneMinder users to re-check", metadata: ["error": "\(error)"])
            return
        }
        for user in due {
            // Without a live token zmes cannot ask: the grace period applies.
            guard let session = apiSessions[user], session.expiresAt > now else { continue }
            if let retry = retryAt[user], retry > now { continue }
            do {
                let monitors = MonitorSet.only(Set(try await api.monitors(session: session).map(\.id)))
                try await store.saveRemotePermissions(user: user, monitors: monitors, at: now)
                cache[user]?.monitors = monitors
                retryAt[user] = nil
            } catch let error as ZoneMinderAPIError where error == .badCredentials {
                // ZoneMinder no longer accepts this user (removed, disabled, tokens revoked).
                apiSessions[user] = nil
                cache[user] = nil
                retryAt[user] = nil
                do {
                    try await store.removeRemotePermissions(user: user)
                } catch {
                    logger.error("cannot remove the user's ZoneMinder permissions", metadata: ["user": "\(loggedText(user))", "error": "\(error)"])
                }
                logger.notice("ZoneMinder no longer accepts this user; their sessions and pushes stop", metadata: ["user": "\(loggedText(user))"])
            } catch {
                if retryAt[user] == nil {
                    logger.warning(
                        "cannot re-check a user's permissions with ZoneMinder; keeping the last answer for auth.zoneminder_grace",
                        metadata: ["user": "\(loggedText(user))", "error": "\(error)"])
                }
                retryAt[user] = now.addingTimeInterval(min(recheckAfter, 30))
            }
        }
    }

    private static func digest(_ password: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(password.utf8)))
    }
}
