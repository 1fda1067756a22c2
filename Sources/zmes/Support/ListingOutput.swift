import Foundation

/// Prints rows as JSON (`--json`: whole tokens, ISO 8601 times) or as a table for people (tokens shortened).
func printListing<Row: Listing>(_ rows: [Row], json: Bool) throws {
    if json { return try printJSON(rows) }
    printTable(header: Row.header, rows: rows.map(\.cells))
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Columns as wide as their widest cell plus two spaces; no trailing spaces.
func printTable(header: [String], rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    for row in [header] + rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 2, withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces))
    }
}
