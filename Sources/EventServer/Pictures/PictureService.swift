import Foundation
import HTTPTypes
import Logging
import PushDispatcher
import ZoneMinder

/// Answers `GET /pictures/<event id>/<frame>?exp=..&sig=..` on the websocket listener's port
/// (docs/PICTURES.md): a link zmes signed, not expired, gets the JPEG (from the cache, else from
/// ZoneMinder with zmes's own login); anything else gets 403 before ZoneMinder is asked.
struct PictureService: Sendable {
    let links: PictureLinks
    let width: Int
    let cache: PictureCache
    let zoneMinder: ZoneMinderServiceLogin
    let logger: Logger

    /// The answer, as status and body, so it can be checked without a listener (`PlainRequestHandler` writes it).
    struct Answer: Sendable, Equatable {
        var status: HTTPResponse.Status
        var jpeg: [UInt8]?
        var message: String
    }

    func answer(eventId: String, frame: String, expiry: String?, signature: String?, now: Date = Date()) async -> Answer {
        guard let event = Int(eventId), event > 0, let expiry = expiry.flatMap({ Int($0) }), let signature,
            links.isValid(eventId: event, frame: frame, expiry: expiry, signature: signature, now: now)
        else {
            return Answer(status: .forbidden, message: "zmes: this picture link is not valid or has expired\n")
        }
        let name = PictureCache.name(eventId: event, frame: frame, width: width)
        do {
            let jpeg = try await cache.picture(named: name, now: now) { [zoneMinder, width] in
                try await zoneMinder.withSession { session throws(ZoneMinderAPIError) in
                    try await zoneMinder.api.image(eventId: event, frame: frame, width: width, session: session)
                }.jpeg
            }
            return Answer(status: .ok, jpeg: jpeg, message: "")
        } catch {
            logger.warning("cannot fetch a picture from ZoneMinder", metadata: ["event": "\(event)", "frame": "\(frame)", "error": "\(error)"])
            return Answer(status: .badGateway, message: "zmes: ZoneMinder did not give this picture\n")
        }
    }
}
