import Foundation

/// zmes's own login to ZoneMinder (`zoneminder.user`/`password`), for what it asks in its own name:
/// monitor names, event pictures. One access token, shared, renewed a minute before ZoneMinder
/// says it expires or when ZoneMinder refuses it; no password ever goes into a URL.
public actor ZoneMinderServiceLogin {
    public let api: ZoneMinderAPI
    let user: String
    let password: String
    private var session: ZoneMinderSession?

    public init(api: ZoneMinderAPI, user: String, password: String) {
        self.api = api
        self.user = user
        self.password = password
    }

    /// The session to call the API with; `nil` when no user is configured (ZoneMinder without auth).
    public func current(now: Date = Date()) async throws(ZoneMinderAPIError) -> ZoneMinderSession? {
        guard !user.isEmpty else { return nil }
        if let session, session.expiresAt.timeIntervalSince(now) > 60 { return session }
        let fresh = try await api.login(user: user, password: password, now: now)
        session = fresh
        return fresh
    }

    /// ZoneMinder refused the token (restarted, key changed): the next call logs in again.
    public func forget() {
        session = nil
    }

    /// Runs `call` with the current session, once more with a new login if ZoneMinder refused the token.
    public func withSession<Result: Sendable>(
        _ call: @Sendable (ZoneMinderSession?) async throws(ZoneMinderAPIError) -> Result
    ) async throws(ZoneMinderAPIError) -> Result {
        do {
            return try await call(try await current())
        } catch .badCredentials where !user.isEmpty {
            forget()
            return try await call(try await current())
        }
    }
}
