/// The bounds of a device's badge count: what a client may set, and what the count
/// saturates at when pushes raise it. A phone never shows more than a few digits, and
/// a bound far below `Int64.max` keeps `badge + 1` from trapping anywhere.
public enum BadgeCount {
    public static let range = 0...99_999

    /// `value` held within `range`.
    public static func clamped(_ value: Int) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }

    /// A stored REAL (SQLite's overflow of an integer) held within `range`; NaN counts as 0.
    public static func clamped(_ value: Double) -> Int {
        guard !value.isNaN else { return range.lowerBound }
        if value <= Double(range.lowerBound) { return range.lowerBound }
        if value >= Double(range.upperBound) { return range.upperBound }
        return Int(value)
    }

    /// The count after one more push, never beyond the upper bound.
    public static func incremented(_ value: Int) -> Int {
        clamped(value) == range.upperBound ? range.upperBound : clamped(value) + 1
    }
}
