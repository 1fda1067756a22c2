import Foundation
import Model

/// Identifies one websocket connection for its lifetime.
struct SessionID: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    var description: String { "s\(value)" }

    /// A session the registry has not opened yet (its ids start at 1).
    static let unregistered = SessionID(value: 0)
}

/// What the router needs to know about one connection.
struct SessionState: Sendable {
    let id: SessionID
    let address: String
    let openedAt: Date
    /// Set by a successful auth; `nil` until then.
    var user: AuthenticatedUser?
    /// The device's push token, from a top-level `token` or a `push`/`token` message.
    var token: String?
    /// The connection's own filter (for websocket-only clients and new devices).
    var filter: MonitorFilter = .all

    /// Counts successful logins, so the registry can tell a new login (whose user replaces its
    /// own) from a later update of the same login (which keeps the permissions it revised).
    var logins = 0

    var isAuthenticated: Bool { user != nil }

    mutating func logIn(as user: AuthenticatedUser) {
        self.user = user
        logins += 1
    }
    var deviceToken: String? { token.flatMap { $0.isEmpty ? nil : $0 } }
}
