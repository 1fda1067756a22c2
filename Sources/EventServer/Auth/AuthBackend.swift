import Model

/// Why a login did not succeed.
public enum AuthError: Error, Equatable, Sendable {
    case badCredentials
    /// The backend could not answer (e.g. ZoneMinder is down); the client sees BADAUTH, the log says why.
    case unavailable(String)
}

/// Who logged in and what they may see.
public struct AuthenticatedUser: Sendable, Equatable {
    public var name: String
    public var monitors: MonitorSet

    public init(name: String, monitors: MonitorSet) {
        self.name = name
        self.monitors = monitors
    }
}

/// Which monitors each device owner may see, as the router reads it once per alarm.
public struct MonitorPermissions: Sendable {
    /// `nil`: no accounts at all (auth off), so every monitor is visible to everyone.
    let byUser: [String: MonitorSet]?

    public static let unrestricted = MonitorPermissions(byUser: nil)

    public init(byUser: [String: MonitorSet]?) {
        self.byUser = byUser
    }

    /// Whether devices belong to someone: false when there are no accounts (auth off).
    var checksOwners: Bool { byUser != nil }

    /// A user unknown to the backend (e.g. removed) sees nothing.
    public func monitors(for user: String) -> MonitorSet {
        guard let byUser else { return .all }
        return byUser[user] ?? .only([])
    }

    /// What `user` may see now, or `nil` when the backend no longer knows the user (removed,
    /// or whose permissions expired): that user's live sessions are closed.
    public func current(for user: String) -> MonitorSet? {
        guard let byUser else { return .all }
        return byUser[user]
    }
}

/// Checks websocket logins and tells the router which monitors each device owner may see.
public protocol AuthBackend: Sendable {
    func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser
    /// The user, when this exact login succeeded recently and is still remembered
    /// (`auth.login_cache`): answered without a password check, so it needs no attempt counted
    /// against the limits. `nil`: ask `authenticate`.
    func rememberedLogin(user: String, password: String) async -> AuthenticatedUser?
    func monitorPermissions() async throws -> MonitorPermissions
    /// The same answer as `monitorPermissions()` for the users in `users`; the router asks
    /// only about the owners of the devices an alarm concerns, so its cost does not grow
    /// with every account.
    func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions
    /// Brings kept permissions up to date with their source (e.g. asks ZoneMinder again about
    /// users checked too long ago). Called every `auth.recheck_interval`; most backends read
    /// their source at each question and need nothing here.
    func recheck() async
}

extension AuthBackend {
    public func recheck() async {}

    public func rememberedLogin(user: String, password: String) async -> AuthenticatedUser? { nil }

    /// Reads every user's permissions and keeps the ones asked for; backends that can
    /// look users up one by one implement it themselves.
    public func monitorPermissions(for users: Set<String>) async throws -> MonitorPermissions {
        let all = try await monitorPermissions()
        return MonitorPermissions(byUser: all.byUser?.filter { users.contains($0.key) })
    }
}
