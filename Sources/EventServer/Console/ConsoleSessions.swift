import Crypto
import Foundation

/// The operators logged in to the console: a random session id (the cookie) and a CSRF token
/// (every form) per login, in memory only. A restart logs everyone out, which is the safe side.
actor ConsoleSessions {
    struct Session: Sendable, Equatable {
        /// The local admin user, or `admin.token` for a login with the token.
        var operatorName: String
        var csrfToken: String
        var expiresAt: Date
    }

    /// How long a session lasts without use; each request moves the end.
    let idleLifetime: TimeInterval
    /// The most sessions kept; past it the oldest end (a flood of logins cannot grow memory).
    let capacity: Int
    private var sessions: [String: Session] = [:]

    init(idleLifetime: TimeInterval = 8 * 3_600, capacity: Int = 1_000) {
        self.idleLifetime = idleLifetime
        self.capacity = capacity
    }

    /// Starts a session; returns its id, for the cookie.
    func start(operatorName: String, now: Date = Date()) -> (id: String, session: Session) {
        sessions = sessions.filter { $0.value.expiresAt > now }
        if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
            sessions[oldest.key] = nil
        }
        let id = Self.randomToken()
        let session = Session(operatorName: operatorName, csrfToken: Self.randomToken(), expiresAt: now.addingTimeInterval(idleLifetime))
        sessions[id] = session
        return (id, session)
    }

    /// The live session with this id, its end moved on; `nil` for an unknown or expired id.
    func session(id: String, now: Date = Date()) -> Session? {
        guard var session = sessions[id] else { return nil }
        guard session.expiresAt > now else {
            sessions[id] = nil
            return nil
        }
        session.expiresAt = now.addingTimeInterval(idleLifetime)
        sessions[id] = session
        return session
    }

    func end(id: String) {
        sessions[id] = nil
    }

    /// 32 random bytes as hex: not guessable, safe in a cookie and a form field.
    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }
}
