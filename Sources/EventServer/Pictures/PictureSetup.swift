import Foundation
import Logging
import PushDispatcher
import Storage
import ZoneMinder

/// `pictures:` made real at start: the signing key from the store (made on first use), the links
/// pushes carry, the disk cache beside the store and the service that answers them.
struct PictureSetup: Sendable {
    let links: PictureLinks
    let service: PictureService

    /// `nil` when `pictures.enabled` is off.
    static func make(configuration: Configuration, store: any Store, zoneMinder: ZoneMinderServiceLogin, logger: Logger) async throws -> PictureSetup? {
        let settings = configuration.pictures
        guard settings.enabled else { return nil }
        let key = try await store.secret(named: PictureLinks.secretName, makeWith: PictureLinks.makeKey)
        let links = PictureLinks(publicURL: settings.publicURL, lifetime: settings.ttl, defaultFrame: settings.frame, key: key)
        let cache = try PictureCache(
            directory: configuration.dataDirectory + "/pictures", lifetime: TimeInterval(settings.ttl),
            capacityBytes: settings.cacheMB << 20)
        logger.info("pictures on", metadata: ["public_url": "\(links.publicURL)", "frame": "\(settings.frame)", "ttl": "\(settings.ttl)"])
        return PictureSetup(
            links: links, service: PictureService(links: links, width: settings.width, cache: cache, zoneMinder: zoneMinder, logger: logger))
    }
}
