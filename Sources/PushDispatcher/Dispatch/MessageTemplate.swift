import Foundation
import Model

/// Fills `push.title` and `push.body`: `{name}`, `{mid}`, `{eid}`, `{cause}`, `{time}`.
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
        (fill(title, alarm), fill(body, alarm))
    }

    private func fill(_ template: String, _ alarm: Alarm) -> String {
        var formatter = Date.FormatStyle(date: .omitted, time: .shortened)
        formatter.timeZone = timeZone
        return template
            .replacingOccurrences(of: "{name}", with: alarm.monitorName)
            .replacingOccurrences(of: "{mid}", with: String(alarm.monitorId))
            .replacingOccurrences(of: "{eid}", with: String(alarm.eventId))
            .replacingOccurrences(of: "{cause}", with: alarm.displayedCause)
            .replacingOccurrences(of: "{time}", with: alarm.time.formatted(formatter))
    }
}
