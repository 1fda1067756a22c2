import Foundation
import Model
import NIOCore

/// The body of `POST /api/v1/alarms`:
/// `{"monitorId":1,"eventId":5060,"name":"Garage","cause":"Motion","kind":"start"}`.
/// Ids may be numbers or numeric strings; only `monitorId` is required.
enum AlarmRequest {
    struct Invalid: Error {
        var message: String
    }

    static func decode(_ body: ByteBuffer) throws(Invalid) -> Alarm {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw Invalid(message: "the body is not JSON")
        }
        guard let object = value.object else { throw Invalid(message: "the body must be a JSON object") }
        guard let monitorId = object["monitorId"]?.integer, monitorId >= 0 else {
            throw Invalid(message: "monitorId is required and must be a monitor id")
        }
        var eventId = Int(Date().timeIntervalSince1970 * 1_000)
        if let given = object["eventId"] {
            guard let id = given.integer, id >= 0 else { throw Invalid(message: "eventId must be a whole number") }
            eventId = id
        }
        var kind = AlarmKind.start
        if let given = object["kind"] {
            guard let text = given.text, let parsed = AlarmKind(rawValue: text) else {
                throw Invalid(message: "kind must be start or end")
            }
            kind = parsed
        }
        return Alarm(
            monitorId: monitorId,
            monitorName: object["name"]?.text ?? "",
            eventId: eventId,
            cause: object["cause"]?.text ?? "Alarm",
            kind: kind,
            source: object["source"]?.text ?? "admin")
    }
}
