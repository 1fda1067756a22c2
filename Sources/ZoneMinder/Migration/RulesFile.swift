import Foundation

/// Why an `es_rules.json` cannot be converted, naming the rule and what is wrong.
public struct RulesFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Converts zmeventnotification's `es_rules.json` into the `rules:` of `zmes.yml`:
/// `{"notifications": {"monitors": {"3": {"rules": [{"from": "9:30 pm", "to": "1 am",
/// "daysofweek": "Mon,Tue", "cause_has": "person", "action": "mute"}]}}}}`.
/// Its actions `mute` and `critical_notify` become `mute` and `critical`.
public enum RulesFile {
    struct File: Decodable {
        struct Notifications: Decodable {
            var monitors: [String: Monitor]?
        }

        struct Monitor: Decodable {
            var rules: [Rule]?
        }

        struct Rule: Decodable {
            var from: String?
            var to: String?
            var daysofweek: String?
            var causeHas: String?
            var action: String?
        }

        var notifications: Notifications?
    }

    /// The `rules:` section as YAML, one flow mapping per rule, monitors in ascending order.
    public static func yaml(from json: String) throws(RulesFileError) -> String {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file: File
        do {
            file = try decoder.decode(File.self, from: Data(json.utf8))
        } catch {
            throw RulesFileError(description: "not an es_rules.json: \(error)")
        }
        let monitors = (file.notifications?.monitors ?? [:]).sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }
        var lines = ["rules:"]
        for (monitorKey, monitor) in monitors {
            guard let monitorId = Int(monitorKey), monitorId >= 0 else {
                throw RulesFileError(description: "monitor '\(monitorKey)' is not a monitor id")
            }
            for (index, rule) in (monitor.rules ?? []).enumerated() {
                lines.append("  - " + (try entry(rule, monitor: monitorId, name: "monitor \(monitorId), rule \(index + 1)")))
            }
        }
        return lines.count == 1 ? "rules: []\n" : lines.joined(separator: "\n") + "\n"
    }

    static func entry(_ rule: File.Rule, monitor: Int, name: String) throws(RulesFileError) -> String {
        var fields = ["monitor: \(monitor)"]
        switch (rule.from, rule.to) {
        case (nil, nil): break
        case (let from?, let to?):
            fields.append("from: \"\(try clock(from, rule: name))\"")
            fields.append("to: \"\(try clock(to, rule: name))\"")
        default: throw RulesFileError(description: "\(name): from and to go together")
        }
        if let days = rule.daysofweek?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased().prefix(3) }), !days.isEmpty {
            fields.append("days: [\(days.joined(separator: ", "))]")
        }
        if let pattern = rule.causeHas {
            fields.append("cause_has: \(quoted(pattern))")
        }
        switch rule.action?.lowercased() {
        case "mute": fields.append("action: mute")
        case "critical_notify", "critical": fields.append("action: critical")
        default: throw RulesFileError(description: "\(name): action '\(rule.action ?? "")' is neither mute nor critical_notify")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// `9:30 pm`, `1 am`, `5pm`, `21:00` → `21:30`, `01:00`, `17:00`, `21:00`.
    static func clock(_ text: String, rule: String) throws(RulesFileError) -> String {
        var rest = text.lowercased().replacingOccurrences(of: " ", with: "")
        var offset: Int?
        if rest.hasSuffix("am") || rest.hasSuffix("pm") {
            offset = rest.hasSuffix("pm") ? 12 : 0
            rest.removeLast(2)
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let hour = Int(parts[0]), let minute = parts.count == 2 ? Int(parts[1]) : 0,
            (0..<60).contains(minute)
        else { throw RulesFileError(description: "\(rule): '\(text)' is not a time like 9:30 pm or 21:30") }
        var hours = hour
        if let offset {
            guard (1...12).contains(hour) else { throw RulesFileError(description: "\(rule): '\(text)' is not a time like 9:30 pm or 21:30") }
            hours = hour % 12 + offset
        }
        guard (0..<24).contains(hours) else { throw RulesFileError(description: "\(rule): '\(text)' is not a time like 9:30 pm or 21:30") }
        return String(format: "%02d:%02d", hours, minute)
    }

    /// A YAML double-quoted scalar (JSON's string syntax, which YAML reads the same).
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
