import Foundation

/// A local account, as `zmes user add` creates it.
public struct User: Sendable, Equatable {
    public var name: String
    public var passwordHash: String
    public var monitors: MonitorSet
    public var createdAt: Date
    /// May open the operators' console (`zmes user add NAME --admin`); ordinary users cannot.
    public var isAdmin: Bool

    public init(name: String, passwordHash: String, monitors: MonitorSet, createdAt: Date = Date(), isAdmin: Bool = false) {
        self.name = name
        self.passwordHash = passwordHash
        self.monitors = monitors
        self.createdAt = createdAt
        self.isAdmin = isAdmin
    }
}
