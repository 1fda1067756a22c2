/// An event's picture as ZoneMinder serves it.
public struct ZoneMinderImage: Sendable, Equatable {
    public var jpeg: [UInt8]
}

extension ZoneMinderAPI {
    /// The largest picture zmes takes from ZoneMinder: pushes carry it to phones, which fetch it on mobile data.
    public static let largestImage = 1 << 20

    /// `index.php?view=image&eid=..&fid=..&width=..`: one frame of an event (`snapshot`, `alarm`,
    /// `objdetect` or a frame number), scaled to `width`. ZoneMinder takes its API token only in the
    /// query; this request goes to ZoneMinder alone and is never logged.
    public func image(eventId: Int, frame: String, width: Int, session: ZoneMinderSession?) async throws(ZoneMinderAPIError) -> ZoneMinderImage {
        var url = "\(baseURL)/index.php?view=image&eid=\(eventId)&fid=\(Self.formEncode(frame))&width=\(width)"
        if let session { url += "&token=\(Self.formEncode(session.accessToken))" }
        let (status, body) = try await send("GET", url, headers: [], body: [])
        switch status {
        case 200:
            // ZoneMinder answers some failures (no such event, no such frame) with 200 and an HTML page or
            // a placeholder: only a JPEG counts.
            guard body.count >= 4, body[0] == 0xFF, body[1] == 0xD8, body[2] == 0xFF else {
                throw .unexpected(status: status, detail: "not a JPEG (event \(eventId), frame \(frame))")
            }
            guard body.count <= Self.largestImage else {
                throw .unexpected(status: status, detail: "picture of \(body.count) bytes, more than \(Self.largestImage); lower pictures.width")
            }
            return ZoneMinderImage(jpeg: body)
        case 401, 403: throw .badCredentials
        default: throw .unexpected(status: status, detail: "no picture for event \(eventId), frame \(frame)")
        }
    }
}
