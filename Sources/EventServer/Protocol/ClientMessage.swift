import Foundation

/// One frame from a client, read into what it asks for.
///
/// Every message may carry a top-level `token` (the device's push token, `""` on
/// desktop clients) and `data.appversion`. Unknown fields are ignored.
struct ClientFrame: Sendable, Equatable {
    var event: String
    var message: ClientMessage
    var token: String?
    var appVersion: String?
}

enum ClientMessage: Sendable, Equatable {
    case auth(user: String?, password: String?, monlist: JSONValue?, intlist: JSONValue?)
    case filter(monlist: JSONValue?, intlist: JSONValue?)
    case version
    case registerToken(platform: String?, token: String?, state: String?, monlist: JSONValue?, intlist: JSONValue?)
    case badge(JSONValue?)
    /// An event or sub-type zmes does not know: answered `NOTSUPPORTED`.
    case unsupported
}

/// Why a frame could not be read at all: answered `BADJSON`.
enum FrameError: Error, Equatable {
    case notJSON
    case notAnObject
    case missingEvent
    case dataNotAnObject
}

extension ClientFrame {
    private static let decoder = JSONDecoder()

    init(text: String) throws(FrameError) {
        let value: JSONValue
        do {
            value = try Self.decoder.decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw .notJSON
        }
        guard let envelope = value.object else { throw .notAnObject }
        guard let event = envelope["event"]?.text, !event.isEmpty else { throw .missingEvent }
        let data: [String: JSONValue]
        switch envelope["data"] {
        case nil, .null?: data = [:]
        case .object(let object)?: data = object
        default: throw .dataNotAnObject
        }
        self.event = event
        self.token = envelope["token"]?.text
        self.appVersion = data["appversion"]?.text
        let type = data["type"]?.text
        switch (event, type) {
        case ("auth", _):
            message = .auth(
                user: data["user"]?.text, password: data["password"]?.text,
                monlist: data["monlist"], intlist: data["intlist"])
        case ("control", "filter"):
            message = .filter(monlist: data["monlist"], intlist: data["intlist"])
        case ("control", "version"):
            message = .version
        case ("push", "token"):
            message = .registerToken(
                platform: data["platform"]?.text, token: data["token"]?.text, state: data["state"]?.text,
                monlist: data["monlist"], intlist: data["intlist"])
        case ("push", "badge"):
            message = .badge(data["badge"])
        default:
            message = .unsupported
        }
    }
}
