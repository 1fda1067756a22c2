/// A row type that Storage decodes by position from an explicit column list: GRDB finds a column
/// by name by lower-casing every column name of the row, a cost per row that showed in profiles.
protocol PositionalColumns {
    /// The columns `init(row:)` reads, in its order.
    static var columns: String { get }
}

extension PositionalColumns {
    /// `columns`, each prefixed with a table alias (`o.id, o.token, …`), for a query that joins.
    static func columns(of alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }
}
