import Foundation
import Model

/// How a push reads (`push.title`, `push.body`, `push.date_format`, `push.tag_event_id`,
/// `push.replace_previous`; docs/CONFIGURATION.md): the placeholders `{name}`, `{mid}`, `{eid}`,
/// `{cause}`, `{detection}` and `{time}`; anything else between braces is kept as written.
public struct MessageTemplate: Sendable {
    public var title: String
    public var body: String
    public var timeZone: TimeZone
    /// `strftime` format of `{time}`; the Perl server's by default.
    public var dateFormat: String
    /// Appends ` (<event id>)` to the title, as the Perl server's `tag_alarm_event_id`, unless the title
    /// already shows `{eid}`.
    public var tagEventId: Bool
    /// One notification per monitor on the phone, each replaced by the next, instead of one per event.
    public var replacePrevious: Bool

    public static let defaultDateFormat = "%I:%M %p, %d-%b"

    public init(
        title: String, body: String, timeZone: TimeZone = .current, dateFormat: String = MessageTemplate.defaultDateFormat,
        tagEventId: Bool = false, replacePrevious: Bool = false
    ) {
        self.title = tagEventId && !title.contains("{eid}") ? title + " ({eid})" : title
        self.body = body
        self.timeZone = timeZone
        self.dateFormat = dateFormat
        self.tagEventId = tagEventId
        self.replacePrevious = replacePrevious
    }

    public func render(_ alarm: Alarm) -> (title: String, body: String) {
        let usesTime = title.contains("{time}") || body.contains("{time}")
        let time = usesTime ? StrftimeFormat(dateFormat, timeZone: timeZone).string(from: alarm.time) : ""
        return (fill(title, alarm, time: time), fill(body, alarm, time: time))
    }

    /// Makes a push that is sent again (after an outcome zmes could not learn) replace the first on the
    /// phone instead of showing twice: APNs' `apns-collapse-id`, Android's notification `tag`. One per
    /// event, so the end of an event replaces its start, or one per monitor with `replace_previous`.
    /// The providers scope it to the device. At most 46 bytes (APNs allows 64).
    public func collapseID(for alarm: Alarm) -> String {
        replacePrevious ? "zmes-\(alarm.monitorId)" : "zmes-\(alarm.monitorId)-\(alarm.eventId)"
    }

    /// One pass over the template: placeholders are found by their braces, not searched for one by one.
    private func fill(_ template: String, _ alarm: Alarm, time: String) -> String {
        var result = ""
        result.reserveCapacity(template.utf8.count + 32)
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                rest = rest[open...]
                break
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "name": result += alarm.monitorName
            case "mid": result += String(alarm.monitorId)
            case "eid": result += String(alarm.eventId)
            case "cause": result += alarm.displayedCause
            case "detection": result += alarm.detection?.text ?? ""
            case "time": result += time
            default:
                result += "{"  // not a placeholder: keep the brace, look again after it
                rest = rest[rest.index(after: open)...]
                continue
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }
}
