import GRDB
import Model

/// Reading and raising the `badge` columns so that no stored value can trap the process.
///
/// Before the badge was bounded a client could store any integer: `badge + 1` then
/// overflowed in Swift (a trap at every claim, again after each restart), and SQLite
/// turned `Int64.max + 1` into a REAL that no `Int` read accepts.
enum StoredBadge {
    /// The stored badge, whatever a bad write left in the column (a huge integer, the
    /// REAL an overflow made of it, text), held within `BadgeCount.range`.
    static func read(_ value: DatabaseValue) -> Int {
        switch value.storage {
        case .int64(let number): return BadgeCount.clamped(Int(number))
        case .double(let number): return BadgeCount.clamped(number)
        case .string(let text): return Int(text.trimmingCharacters(in: .whitespaces)).map(BadgeCount.clamped) ?? 0
        case .blob, .null: return 0
        }
    }

    /// SQL for `column` raised by `amount` and held within `BadgeCount.range`: the stored
    /// value is first cast (a REAL or text becomes an integer; SQLite's cast saturates) and clamped.
    static func raisedSQL(_ column: String, by amount: String) -> String {
        let upper = BadgeCount.range.upperBound
        return "MIN(MIN(MAX(CAST(\(column) AS INTEGER), 0), \(upper)) + \(amount), \(upper))"
    }
}
