import Foundation

/// Why a `monlist`/`intlist` pair was refused.
public enum MonitorFilterError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMonitorList(String)
    case badIntervalList(String)

    public var description: String {
        switch self {
        case .badMonitorList(let entry): return "monlist entry '\(entry)' is not a monitor id"
        case .badIntervalList(let entry): return "intlist entry '\(entry)' is not a number of seconds"
        }
    }
}

/// A device's or connection's choice of monitors, with a minimum interval per monitor.
///
/// The lists are positional, as zmNinja sends them: `monlist "1,2,4"` with
/// `intlist "0,0,3600"` means monitor 4 at most once an hour. An empty
/// `monlist` means every monitor.
public struct MonitorFilter: Sendable, Equatable, Codable {
    /// Monitor id to interval in seconds; `nil` means all monitors, interval 0.
    public private(set) var intervals: [Int: Int]?

    public static let all = MonitorFilter(intervals: nil)

    public init(intervals: [Int: Int]?) {
        self.intervals = intervals
    }

    /// Parses the wire form. Missing interval entries count as 0.
    public init(monlist: String, intlist: String) throws(MonitorFilterError) {
        let monitors = try Self.numbers(in: monlist, error: MonitorFilterError.badMonitorList)
        let seconds = try Self.numbers(in: intlist, error: MonitorFilterError.badIntervalList)
        if monitors.isEmpty {
            self.intervals = nil
            return
        }
        var intervals: [Int: Int] = [:]
        for (index, monitor) in monitors.enumerated() {
            intervals[monitor] = index < seconds.count ? max(0, seconds[index]) : 0
        }
        self.intervals = intervals
    }

    public func allows(monitor: Int) -> Bool {
        intervals.map { $0[monitor] != nil } ?? true
    }

    public func interval(for monitor: Int) -> Int {
        intervals?[monitor] ?? 0
    }

    /// The wire form: monitors in ascending order, intervals in the same positions.
    public var monlist: String {
        guard let intervals else { return "" }
        return intervals.keys.sorted().map(String.init).joined(separator: ",")
    }

    public var intlist: String {
        guard let intervals else { return "" }
        return intervals.keys.sorted().map { String(intervals[$0] ?? 0) }.joined(separator: ",")
    }

    private static func numbers(
        in list: String,
        error: (String) -> MonitorFilterError
    ) throws(MonitorFilterError) -> [Int] {
        let trimmed = list.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        var result: [Int] = []
        for entry in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let value = Int(text), value >= 0 else { throw error(String(entry)) }
            result.append(value)
        }
        return result
    }
}
