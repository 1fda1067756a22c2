import Foundation
import HummingbirdBcrypt
import Model
import NIOPosix
import Storage

/// Users kept in the store with bcrypt hashes (`zmes user add`).
public struct LocalAuthBackend: AuthBackend {
    let store: any Store
    /// Successes remembered for `auth.login_cache` seconds (a salted hash, never the password).
    private let verified: VerifiedLogins
    /// Verified against when the user does not exist, so a wrong name costs as much as a wrong password.
    private static let decoyHash = Bcrypt.hash("zmes-decoy-password", cost: PasswordHasher.cost)

    /// - Parameter loginCache: seconds a successful check is remembered (`auth.login_cache`); 0: never.
    public init(store: any Store, loginCache: TimeInterval = 300) {
        self.store = store
        self.verified = VerifiedLogins(lifetime: loginCache)
    }

    public func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser {
        let record: User?
        do {
            record = try await store.user(named: user)
        } catch {
            throw .unavailable("store: \(error)")
        }
        guard let record else {
            _ = await PasswordHasher.verify(password, hash: Self.decoyHash)
            throw .badCredentials
        }
        let hash = record.passwordHash
        let matches = await verified.check(user: record.name, password: password, storedHash: hash) {
            await PasswordHasher.verify(password, hash: hash)
        }
        guard matches else { throw .badCredentials }
        return AuthenticatedUser(name: record.name, monitors: record.monitors)
    }

    public func rememberedLogin(user: String, password: String) async -> AuthenticatedUser? {
        guard let record = try? await store.user(named: user),
            await verified.remembers(user: record.name, password: password, storedHash: record.passwordHash)
        else { return nil }
        return AuthenticatedUser(name: record.name, monitors: record.monitors)
    }

    public func monitorPermissions() async throws -> MonitorPermissions {
        MonitorPermissions(byUser: Dictionary(uniqueKeysWithValues: try await store.users().map { ($0.name, $0.monitors) }))
    }

    public func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions {
        MonitorPermissions(byUser: Dictionary(uniqueKeysWithValues: try await store.users(named: users).map { ($0.name, $0.monitors) }))
    }
}

/// No login at all (`auth.enabled: false`): everyone sees every monitor.
public struct OpenAuthBackend: AuthBackend {
    public init() {}

    public func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser {
        AuthenticatedUser(name: user.isEmpty ? "anonymous" : user, monitors: .all)
    }

    public func monitorPermissions() async throws -> MonitorPermissions { .unrestricted }

    public func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions { .unrestricted }
}
