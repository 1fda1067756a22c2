import Foundation

/// A rule of the `rules:` configuration (the Perl server's `es_rules.json`): for one monitor, within a time
/// window on some days, for causes matching a pattern, mute its alarms or make them critical.
///
/// A window may wrap past midnight (`from: "21:00"`, `to: "07:00"`); the day is the alarm's own day in the
/// server's time zone. No window means all day; no days means every day; no pattern means every cause.
public struct MonitorRule: Sendable, Equatable {
    public static func == (a: MonitorRule, b: MonitorRule) -> Bool {
        a.monitorId == b.monitorId && a.window == b.window && a.days == b.days && a.causePattern == b.causePattern && a.action == b.action
    }

    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// No push, websocket alarm or hook for it.
        case mute
        /// Sent as critical: APNs `interruption-level: critical`, FCM high priority.
        case critical
    }

    public var monitorId: Int
    public var window: TimeWindow?
    public var days: Set<Weekday>
    /// A case-insensitive regular expression (ICU syntax, which takes the Perl server's patterns).
    public var causePattern: String? { causeExpression?.pattern }
    public var action: Action
    /// Compiled once, when the rule is made: the rule is checked on every alarm of its monitor.
    private let causeExpression: NSRegularExpression?

    public init(monitorId: Int, window: TimeWindow? = nil, days: Set<Weekday> = [], causePattern: String? = nil, action: Action) throws(MonitorRuleError) {
        do {
            causeExpression = try causePattern.map { try NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
        } catch {
            throw .badPattern(causePattern ?? "")
        }
        self.monitorId = monitorId
        self.window = window
        self.days = days
        self.action = action
    }

    /// Whether the rule applies to this alarm at this local time.
    public func applies(to alarm: Alarm, at time: LocalTime) -> Bool {
        guard alarm.monitorId == monitorId else { return false }
        guard days.isEmpty || days.contains(time.weekday) else { return false }
        if let window, !window.contains(minuteOfDay: time.minuteOfDay) { return false }
        guard let expression = causeExpression else { return true }
        let cause = alarm.cause
        return expression.firstMatch(in: cause, range: NSRange(cause.startIndex..., in: cause)) != nil
    }

    /// The first rule that applies decides (as in the Perl server); nil: none applies.
    public static func action(for alarm: Alarm, at time: LocalTime, in rules: [MonitorRule]) -> Action? {
        rules.first { $0.applies(to: alarm, at: time) }?.action
    }
}

/// Why a rule cannot be used, naming the part that is wrong.
public enum MonitorRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case badPattern(String)
    case badTime(String)
    case badDay(String)

    public var description: String {
        switch self {
        case .badPattern(let pattern): return "cause_has '\(pattern)' is not a valid regular expression"
        case .badTime(let text): return "'\(text)' is not a time of day as HH:MM (24-hour)"
        case .badDay(let text): return "'\(text)' is not a day (mon, tue, wed, thu, fri, sat, sun)"
        }
    }
}

/// A span of the day from `from` up to (not including) `to`, in minutes since midnight; wraps past midnight
/// when `to` is earlier than `from`. Equal ends mean the whole day.
public struct TimeWindow: Sendable, Equatable {
    public var from: Int
    public var to: Int

    /// `"21:00"`, `"07:30"`.
    public init(from: String, to: String) throws(MonitorRuleError) {
        self.from = try Self.minuteOfDay(from)
        self.to = try Self.minuteOfDay(to)
    }

    public func contains(minuteOfDay minute: Int) -> Bool {
        if from == to { return true }
        return from < to ? (from..<to).contains(minute) : minute >= from || minute < to
    }

    static func minuteOfDay(_ text: String) throws(MonitorRuleError) -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 || $0.count == 1 }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { throw .badTime(text) }
        return hour * 60 + minute
    }
}

public enum Weekday: String, Sendable, Equatable, Hashable, CaseIterable {
    case sun, mon, tue, wed, thu, fri, sat

    /// `mon`, `Mon`, `monday`, as the Perl server's `daysofweek` and zmes's `days` write them.
    public init(name: String) throws(MonitorRuleError) {
        let prefix = String(name.trimmingCharacters(in: .whitespaces).lowercased().prefix(3))
        guard name.trimmingCharacters(in: .whitespaces).count >= 3, let day = Weekday(rawValue: prefix) else { throw .badDay(name) }
        self = day
    }
}

/// The day and the minute of the day an alarm happened, in the server's time zone.
public struct LocalTime: Sendable, Equatable {
    public var weekday: Weekday
    public var minuteOfDay: Int

    /// `LocalTime(.mon, 23, 30)`: Monday, 23:30.
    public init(_ weekday: Weekday, _ hour: Int, _ minute: Int) {
        self.weekday = weekday
        minuteOfDay = hour * 60 + minute
    }

    public init(_ date: Date, calendar: Calendar = .current) {
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        weekday = Weekday.allCases[((parts.weekday ?? 1) - 1) % 7]
        minuteOfDay = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }
}
