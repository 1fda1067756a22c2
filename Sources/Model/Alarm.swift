import Foundation

/// Whether an alarm reports the start of an event or its end.
public enum AlarmKind: String, Sendable, Codable, CaseIterable {
    case start
    case end
}

/// What a camera system raised: the unit every source produces and the router consumes.
public struct Alarm: Sendable, Hashable, Codable {
    public var monitorId: Int
    public var monitorName: String
    public var eventId: Int
    public var cause: String
    public var kind: AlarmKind
    public var time: Date
    /// Where it came from (`admin`, `zoneminder`, ...), for logs and metrics.
    public var source: String
    /// Which alarm of the event this is. A monitor that records all the time (ZoneMinder's
    /// Record and Mocord) keeps one event open across several alarms, so the event id alone
    /// cannot tell a second alarm from a repeat of the first. Sources with one alarm per
    /// event leave it 0; the ZoneMinder watcher uses the alarm's start time in milliseconds,
    /// which a restart never reuses. An end with 0 closes whichever alarm of its event was
    /// notified.
    public var occurrence: Int
    /// Sent as a critical alert (a `rules:` entry with `action: critical`): APNs
    /// `interruption-level: critical`; FCM and the proxy already send every alarm at high priority.
    public var critical: Bool
    /// What the event's detection hook found, when one ran and succeeded in time.
    public var detection: Detection?

    public init(
        monitorId: Int,
        monitorName: String,
        eventId: Int,
        cause: String,
        kind: AlarmKind = .start,
        time: Date = Date(),
        source: String = "admin",
        occurrence: Int = 0,
        critical: Bool = false,
        detection: Detection? = nil
    ) {
        self.monitorId = monitorId
        self.monitorName = monitorName
        self.eventId = eventId
        self.cause = cause
        self.kind = kind
        self.time = time
        self.source = source
        self.occurrence = occurrence
        self.critical = critical
        self.detection = detection
    }

    /// The cause as clients show it: end notifications are prefixed `End:` exactly once.
    public var displayedCause: String {
        switch kind {
        case .start: return cause
        case .end: return cause.hasPrefix("End:") ? cause : "End:" + (cause.isEmpty ? "" : " " + cause)
        }
    }
}
