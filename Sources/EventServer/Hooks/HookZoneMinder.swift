import Foundation
import Logging
import ZoneMinder

/// What the hooks ask ZoneMinder: an event's directory for `{path}`, and writing a detection into the
/// event's Notes (`hooks.update_notes`). Logs in with zmes's own `zoneminder.user` and keeps the token
/// until shortly before it expires; the password only ever goes in a POST body.
actor HookZoneMinder {
    let api: ZoneMinderAPI
    let user: String
    let password: String
    let logger: Logger
    private var session: ZoneMinderSession?

    init(api: ZoneMinderAPI, user: String, password: String, logger: Logger) {
        self.api = api
        self.user = user
        self.password = password
        self.logger = logger
    }

    /// The event's directory, or "" when ZoneMinder does not say (the hook still runs).
    func eventDirectory(eventId: Int) async -> String {
        do {
            return try await api.eventDirectory(eventId: eventId, session: try await currentSession())
        } catch {
            logger.warning("cannot read the event's directory from ZoneMinder; the hook gets an empty {path}", metadata: ["event": "\(eventId)", "error": "\(error)"])
            return ""
        }
    }

    func updateNotes(eventId: Int, notes: String) async {
        do {
            try await api.updateNotes(eventId: eventId, notes: notes, session: try await currentSession())
        } catch {
            logger.warning("cannot write the detection into the event's notes in ZoneMinder", metadata: ["event": "\(eventId)", "error": "\(error)"])
        }
    }

    private func currentSession() async throws(ZoneMinderAPIError) -> ZoneMinderSession? {
        guard !user.isEmpty else { return nil }
        if let session, session.expiresAt.timeIntervalSinceNow > 60 { return session }
        let fresh = try await api.login(user: user, password: password)
        session = fresh
        return fresh
    }
}
