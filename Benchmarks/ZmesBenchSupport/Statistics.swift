import Foundation

/// Monotonic nanoseconds (CLOCK_MONOTONIC, the clock NIO's deadlines use).
public func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Nearest-rank percentile (p in 0...100) of unsorted values; NaN when empty.
public func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

public func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

/// Progress and diagnostics go to standard error; tables and SUMMARY lines to standard output.
public func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// One machine-readable result line: `SUMMARY ` then tab-separated fields, for the top-level script.
public struct SummaryLine: Sendable {
    public enum Verdict: String, Sendable { case pass = "PASS", fail = "FAIL", info = "INFO" }

    public var name: String
    public var value: Double
    public var unit: String
    public var referenceName: String
    public var referenceValue: Double
    public var target: String
    public var verdict: Verdict

    public init(name: String, value: Double, unit: String, referenceName: String, referenceValue: Double, target: String, verdict: Verdict) {
        self.name = name
        self.value = value
        self.unit = unit
        self.referenceName = referenceName
        self.referenceValue = referenceValue
        self.target = target
        self.verdict = verdict
    }

    public var ratio: Double { referenceValue == 0 ? .nan : value / referenceValue }

    public var text: String {
        "SUMMARY " + [name, format(value, 3), unit, referenceName, format(referenceValue, 3), format(ratio, 2), target, verdict.rawValue]
            .joined(separator: "\t")
    }
}

/// Removes `name VALUE` from `arguments` and returns VALUE.
public func takeOption(_ name: String, from arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return arguments[index + 1]
}
