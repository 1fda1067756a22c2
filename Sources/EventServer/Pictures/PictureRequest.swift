import Foundation

/// What `GET /pictures/<event id>/<frame>?exp=..&sig=..` asks for, read from the request target
/// by hand (the websocket listener has no router). The values are checked by `PictureService`:
/// here nothing is trusted, and any target, however hostile, is one of the three cases.
struct PictureRequest: Sendable, Equatable {
    var eventId: String
    var frame: String
    var expiry: String?
    var signature: String?

    enum Target: Sendable, Equatable {
        /// `/pictures/<event id>/<frame>`, with its query's `exp` and `sig` if any.
        case picture(PictureRequest)
        /// `/pictures`, or a path under it that is not a picture's: 404.
        case notAPicture
        /// Any other path: the client should have asked for a websocket.
        case elsewhere
    }

    static func target(of uri: String) -> Target {
        let path = uri.prefix { $0 != "?" && $0 != "#" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments[0].isEmpty, segments[1] == "pictures" else { return .elsewhere }
        guard segments.count == 4, !segments[2].isEmpty, !segments[3].isEmpty else { return .notAPicture }
        let query = queryItems(uri)
        return .picture(
            PictureRequest(eventId: String(segments[2]), frame: String(segments[3]), expiry: query["exp"], signature: query["sig"]))
    }

    /// The query's names and values, percent-decoded; the first of a repeated name counts.
    private static func queryItems(_ uri: String) -> [String: String] {
        guard let start = uri.firstIndex(of: "?") else { return [:] }
        let query = uri[uri.index(after: start)...].prefix { $0 != "#" }
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            if items[name] == nil { items[name] = value.removingPercentEncoding ?? value }
        }
        return items
    }
}
