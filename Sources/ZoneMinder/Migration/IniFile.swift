import Foundation

/// An INI file as zmeventnotification writes them: `[section]`, `key = value`, `#`/`;` comments,
/// `!NAME` values looked up in secrets.ini, and `{{key}}` references to `[general]` values.
public struct IniFile: Sendable, Equatable {
    public private(set) var sections: [String: [String: String]] = [:]

    public init(text: String) {
        var section = "general"
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
    }

    public func value(_ section: String, _ key: String) -> String? {
        sections[section]?[key]
    }

    /// Every `section.key`, for reporting what was not carried over.
    public var allKeys: [String] {
        sections.flatMap { section, values in values.keys.map { "\(section).\($0)" } }.sorted()
    }
}
