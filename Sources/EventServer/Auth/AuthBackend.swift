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

/// Checks websocket logins and tells the router which monitors each device owner may see.
public protocol AuthBackend: Sendable {
    func authenticate(user: String, password: String) async throws(AuthError) -> AuthenticatedUser
    /// Monitor permissions of every known user; a user missing here sees nothing.
    func monitorPermissions() async throws -> [String: MonitorSet]
}
