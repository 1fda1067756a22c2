import Foundation

/// The last start notified to one recipient (device or websocket session) for one monitor.
public struct LastNotification: Sendable, Equatable {
    public var eventId: Int
    public var occurrence: Int
    public var at: Date

    public init(eventId: Int, occurrence: Int = 0, at: Date) {
        self.eventId = eventId
        self.occurrence = occurrence
        self.at = at
    }
}

/// Whether one recipient gets one alarm: written once, used for devices (in the store's
/// transaction) and for websocket sessions without a device (in memory).
///
/// - A start is sent unless it repeats the alarm last notified (same event and occurrence)
///   or comes sooner than the recipient's interval for the monitor after the last start sent.
/// - An end is sent only to a recipient whose last notified start was that alarm: the same
///   event, and the same occurrence when the end names one (an end with occurrence 0 closes
///   whichever alarm of the event was notified).
public enum NotificationRule {
    public enum Decision: Sendable, Equatable {
        /// Send it; for a start, remember `record` as the recipient's last notification.
        case send(record: LastNotification?)
        case skip
    }

    public static func decide(
        _ alarm: Alarm, previous: LastNotification?, interval: Int, now: Date
    ) -> Decision {
        switch alarm.kind {
        case .start:
            if let previous {
                if previous.eventId == alarm.eventId && previous.occurrence == alarm.occurrence { return .skip }
                // Interval 0 means every new alarm: alarms routed at once may be recorded out of the order
                // of their `now`s (each waits its turn to write), and none must be lost to that.
                if interval > 0 && now.timeIntervalSince(previous.at) < Double(interval) { return .skip }
            }
            return .send(record: LastNotification(eventId: alarm.eventId, occurrence: alarm.occurrence, at: now))
        case .end:
            guard let previous, previous.eventId == alarm.eventId else { return .skip }
            guard alarm.occurrence == 0 || previous.occurrence == alarm.occurrence else { return .skip }
            return .send(record: nil)
        }
    }
}
