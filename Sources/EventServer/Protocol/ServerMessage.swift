import Foundation
import Model

/// The protocol compatibility level on the wire. zmNinja warns unless it compares >= "6.0".
public let protocolVersion = "7.0"
/// The release this is: `zmes --version` prints it and `Scripts/package-deb.sh` names the package
/// after it. Raise it when a release changes what users see.
public let zmesVersion = "0.1.0"
/// The product's own version, sent beside `version` as `server`.
public let productVersion = "zmes \(zmesVersion)"

/// Failure reasons, exactly as clients match them.
enum FailureReason: String, Sendable {
    case badAuth = "BADAUTH"
    case noAuth = "NOAUTH"
    /// Too many failed logins from this client or for this user: refused without a password check.
    case rateLimited = "RATELIMITED"
    case noMonitorList = "NOMONITORLIST"
    case noIntervalList = "NOINTERVALLIST"
    case badMonitorList = "BADMONITORLIST"
    case badIntervalList = "BADINTERVALLIST"
    case missingPlatform = "MISSINGPLATFORM"
    case missingToken = "MISSINGTOKEN"
    case badPlatform = "BADPLATFORM"
    case badToken = "BADTOKEN"
    case badState = "BADSTATE"
    case badBadge = "BADBADGE"
    case pushDisabled = "PUSHDISABLED"
    case badJSON = "BADJSON"
    case tooBig = "TOOBIG"
    case notSupported = "NOTSUPPORTED"
}

/// A reply to a client message: `event`, `type`, `status` and `reason` always present.
struct Reply: Encodable, Sendable, Equatable {
    var event: String
    var type: String = ""
    var status: String
    var reason: String
    var version: String?
    var server: String?

    static func fail(_ event: String, type: String = "", _ reason: FailureReason) -> Reply {
        Reply(event: event, type: type, status: "Fail", reason: reason.rawValue)
    }

    static var authSuccess: Reply {
        Reply(event: "auth", status: "Success", reason: "", version: protocolVersion, server: productVersion)
    }

    static var version: Reply {
        Reply(event: "control", type: "version", status: "Success", reason: "", version: protocolVersion, server: productVersion)
    }
}

/// `{"event":"alarm","type":"","status":"Success","events":[...]}`, with the
/// string `"supplementary":"true"` on the websocket copy of a pushed alarm.
struct AlarmMessage: Encodable, Sendable {
    struct Event: Encodable, Sendable {
        var EventId: String
        var Name: String
        var MonitorId: String
        var Cause: String
        /// The detection hook's JSON (`--SPLIT--` part), as the Perl server sends it; absent without one.
        var DetectionJson: JSONValue?
        /// The signed link to the event's picture (docs/PICTURES.md); absent unless `pictures.enabled`.
        var Picture: String?
    }

    var event = "alarm"
    var type = ""
    var status = "Success"
    var events: [Event]
    var supplementary: String?

    init(alarm: Alarm, picture: String? = nil, supplementary: Bool) {
        events = [
            Event(
                EventId: String(alarm.eventId), Name: alarm.monitorName, MonitorId: String(alarm.monitorId),
                Cause: alarm.displayedCause,
                DetectionJson: alarm.detection?.json.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) },
                Picture: picture)
        ]
        self.supplementary = supplementary ? "true" : nil
    }
}

enum WireEncoding {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func text(_ value: some Encodable) -> String {
        // Encoding these plain structs cannot fail; an empty object is the safe fallback.
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
