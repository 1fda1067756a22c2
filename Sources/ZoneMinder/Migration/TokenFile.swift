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

    static func parseJSON(_ text: String) throws(TokenFileError) -> [ImportedToken] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw .unreadable("not valid JSON")
        }
        let tokens = object["tokens"] as? [String: Any] ?? [:]
        var result: [ImportedToken] = []
        for (token, value) in tokens.sorted(by: { $0.key < $1.key }) {
            guard let entry = value as? [String: Any] else { continue }
            let platform = Platform(clientValue: "\(entry["platform"] ?? "android")") ?? .android
            let state = PushState(clientValue: "\(entry["pushstate"] ?? "enabled")") ?? .enabled
            let monlist = "\(entry["monlist"] ?? "")"
            let intlist = "\(entry["intlist"] ?? "")"
            let filter = (try? MonitorFilter(monlist: monlist == "-1" ? "" : monlist, intlist: intlist == "-1" ? "" : intlist)) ?? .all
            let badge = (entry["badge"] as? NSNumber)?.intValue ?? Int("\(entry["badge"] ?? 0)") ?? 0
            result.append(
                ImportedToken(token: token, platform: platform, state: state, filter: filter, badge: badge,
                              appVersion: "\(entry["appversion"] ?? "")"))
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
