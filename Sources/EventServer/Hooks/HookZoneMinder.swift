import Foundation
import Logging
import ZoneMinder

/// What the hooks ask ZoneMinder: an event's directory for `{path}`, and writing a detection into the
/// event's Notes (`hooks.update_notes`), in zmes's own name (`ZoneMinderServiceLogin`).
struct HookZoneMinder: Sendable {
    let login: ZoneMinderServiceLogin
    let logger: Logger

    /// The event's directory, or "" when ZoneMinder does not say (the hook still runs).
    func eventDirectory(eventId: Int) async -> String {
        do {
            return try await login.withSession { session throws(ZoneMinderAPIError) in
                try await login.api.eventDirectory(eventId: eventId, session: session)
            }
        } catch {
            logger.warning("cannot read the event's directory from ZoneMinder; the hook gets an empty {path}", metadata: ["event": "\(eventId)", "error": "\(error)"])
            return ""
        }
    }

    func updateNotes(eventId: Int, notes: String) async {
        do {
            try await login.withSession { session throws(ZoneMinderAPIError) in
                try await login.api.updateNotes(eventId: eventId, notes: notes, session: session)
            }
        } catch {
            logger.warning("cannot write the detection into the event's notes in ZoneMinder", metadata: ["event": "\(eventId)", "error": "\(error)"])
        }
    }
}
