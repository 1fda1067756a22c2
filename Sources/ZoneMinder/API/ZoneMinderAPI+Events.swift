import Foundation

/// The event calls the detection hooks use: where an event's files are, and writing its Notes.
extension ZoneMinderAPI {
    /// `GET /api/events/<id>.json`: the event's directory (`Event.FileSystemPath`), for a hook's `{path}`.
    public func eventDirectory(eventId: Int, session: ZoneMinderSession?) async throws(ZoneMinderAPIError) -> String {
        let (status, body) = try await eventRequest("GET", eventId: eventId, session: session, body: [])
        guard let reply = try? JSONDecoder().decode(EventReply.self, from: Data(body)), let path = reply.event.event.fileSystemPath else {
            throw .unexpected(status: status, detail: "no Event.FileSystemPath in the event's reply")
        }
        return path
    }

    /// `PUT /api/events/<id>.json` with `Event[Notes]`: what a hook detected, shown in ZoneMinder's event list.
    public func updateNotes(eventId: Int, notes: String, session: ZoneMinderSession?) async throws(ZoneMinderAPIError) {
        _ = try await eventRequest("PUT", eventId: eventId, session: session, body: Array("Event%5BNotes%5D=\(Self.formEncode(notes))".utf8))
    }

    private func eventRequest(_ method: String, eventId: Int, session: ZoneMinderSession?, body: [UInt8]) async throws(ZoneMinderAPIError) -> (Int, [UInt8]) {
        var url = "\(baseURL)/api/events/\(eventId).json"
        if let session { url += "?token=\(Self.formEncode(session.accessToken))" }
        let headers: [(name: String, value: String)] = body.isEmpty ? [] : [("content-type", "application/x-www-form-urlencoded")]
        let response: (status: Int, body: [UInt8])
        do {
            response = try await transport.send(method: method, url: url, headers: headers, body: body)
        } catch {
            throw .unreachable("\(error)")
        }
        switch response.status {
        case 200: return (response.status, response.body)
        case 401, 403: throw .badCredentials
        default: throw .unexpected(status: response.status, detail: String(decoding: response.body.prefix(200), as: UTF8.self))
        }
    }

    /// `{"event": {"Event": {"Id": "5", "FileSystemPath": "/var/cache/zoneminder/events/1/2024-05-01/5", ...}}}`.
    private struct EventReply: Decodable {
        struct Wrapper: Decodable {
            var event: Fields
            enum CodingKeys: String, CodingKey { case event = "Event" }
        }

        struct Fields: Decodable {
            var fileSystemPath: String?
            enum CodingKeys: String, CodingKey { case fileSystemPath = "FileSystemPath" }
        }

        var event: Wrapper
    }
}
