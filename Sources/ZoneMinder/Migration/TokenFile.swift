import Foundation
import Model

/// One device from a zmeventnotification `tokens.txt`.
public struct ImportedToken: Sendable, Equatable {
    public var token: String
    public var platform: Platform
    public var state: PushState
    public var filter: MonitorFilter
    public var badge: Int
    public var appVersion: String
}

/// Why a tokens file could not be read.
public enum TokenFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case badLine(number: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let reason): return "cannot read the tokens file: \(reason)"
        case .badLine(let number, let reason): return "line \(number): \(reason)"
        }
    }
}

/// Reads both formats zmeventnotification used: the JSON one (`{"tokens": {...}}`) and the
/// old colon format, one `token:monlist:intlist:platform:pushstate` per line.
public enum TokenFile {
    public static func parse(_ text: String) throws(TokenFileError) -> [ImportedToken] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") { return try parseJSON(trimmed) }
        return try parseColons(trimmed)
    }

    /// `{"tokens": {"<token>": {"platform": "ios", "pushstate": "enabled", "monlist": "1,2", "intlist": "0,0", "badge": 0, "appversion": "..."}}}`.
    struct JSONTokens: Decodable {
        var tokens: [String: Entry]?
    }

    /// One token's scalar fields (others, like `invocations`, are not carried over); an entry that is not
    /// an object is skipped, not fatal to the file.
    struct Entry: Decodable {
        var fields: [String: LenientScalar]?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            guard let object = try? decoder.container(keyedBy: Key.self) else { return }
            var fields: [String: LenientScalar] = [:]
            for key in object.allKeys {
                fields[key.stringValue] = try? object.decode(LenientScalar.self, forKey: key)
            }
            self.fields = fields
        }
    }

    static func parseJSON(_ text: String) throws(TokenFileError) -> [ImportedToken] {
        let file: JSONTokens
        do {
            file = try JSONDecoder().decode(JSONTokens.self, from: Data(text.utf8))
        } catch {
            throw .unreadable("not valid JSON")
        }
        var result: [ImportedToken] = []
        for (token, value) in (file.tokens ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let entry = value.fields else { continue }
            func field(_ name: String, _ fallback: String) -> String { entry[name]?.text ?? fallback }
            let platform = Platform(clientValue: field("platform", "android")) ?? .android
            let state = PushState(clientValue: field("pushstate", "enabled")) ?? .enabled
            let monlist = field("monlist", "")
            let intlist = field("intlist", "")
            let filter = (try? MonitorFilter(monlist: monlist == "-1" ? "" : monlist, intlist: intlist == "-1" ? "" : intlist)) ?? .all
            let badge = entry["badge"]?.integer ?? 0
            result.append(
                ImportedToken(token: token, platform: platform, state: state, filter: filter, badge: badge,
                              appVersion: field("appversion", "")))
        }
        return result
    }

    static func parseColons(_ text: String) throws(TokenFileError) -> [ImportedToken] {
        var result: [ImportedToken] = []
        for (index, rawLine) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4, !fields[0].isEmpty else {
                throw .badLine(number: index + 1, reason: "expected token:monlist:intlist:platform[:pushstate]")
            }
            guard let platform = Platform(clientValue: fields[3]) else {
                throw .badLine(number: index + 1, reason: "unknown platform '\(fields[3])'")
            }
            let state = fields.count > 4 ? (PushState(clientValue: fields[4]) ?? .enabled) : .enabled
            let monlist = fields[1] == "-1" ? "" : fields[1]
            let intlist = fields[2] == "-1" ? "" : fields[2]
            guard let filter = try? MonitorFilter(monlist: monlist, intlist: intlist) else {
                throw .badLine(number: index + 1, reason: "monlist/intlist are not numbers")
            }
            result.append(ImportedToken(token: fields[0], platform: platform, state: state, filter: filter, badge: 0, appVersion: ""))
        }
        return result
    }
}
