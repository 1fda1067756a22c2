import Foundation

/// JSON texts that pass a whole batch to one statement through SQLite's `json_each`,
/// instead of running the statement once per row.
enum JSONList {
    static func integers(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    static func strings(_ values: some Collection<String>) -> String {
        "[" + values.map(quoted).joined(separator: ",") + "]"
    }

    /// An object from string keys to integers; later duplicates win.
    static func object(_ pairs: [(String, Int)]) -> String {
        "{" + pairs.map { quoted($0.0) + ":" + String($0.1) }.joined(separator: ",") + "}"
    }

    private static func quoted(_ value: String) -> String {
        // Tokens are plain ASCII: nothing to escape, the common case.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + value + "\""
        }
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
