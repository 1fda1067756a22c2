import Foundation
import Model

/// Fills `push.title` and `push.body`: `{name}`, `{mid}`, `{eid}`, `{cause}`, `{time}`.
/// Anything else between braces is kept as written.
public struct MessageTemplate: Sendable {
    public var title: String
    public var body: String
    public var timeZone: TimeZone

    public init(title: String, body: String, timeZone: TimeZone = .current) {
        self.title = title
        self.body = body
        self.timeZone = timeZone
    }

    public func render(_ alarm: Alarm) -> (title: String, body: String) {
        let usesTime = title.contains("{time}") || body.contains("{time}")
        let time = usesTime ? formattedTime(alarm.time) : ""
        return (fill(title, alarm, time: time), fill(body, alarm, time: time))
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

    private func formattedTime(_ date: Date) -> String {
        var formatter = Date.FormatStyle(date: .omitted, time: .shortened)
        formatter.timeZone = timeZone
        return date.formatted(formatter)
    }
}
