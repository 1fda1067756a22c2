import Foundation
import Model
import Yams

/// Reads `zmes.yml`, applies `ZMES_*` environment overrides and checks every key.
///
/// A file may set any subset of keys. Unknown keys are an error, never silently
/// ignored: a misspelt `enabeld` must not leave TLS on without the user knowing.
public struct ConfigurationLoader: Sendable {
    /// Every scalar key, dotted, with its default configuration as the reference.
    static let scalarKeys: [String] = [
        "log.level",
        "server.address", "server.port", "server.tls.enabled", "server.tls.cert", "server.tls.key",
        "server.max_message_size", "server.max_sessions", "server.handshake_timeout", "server.ping_interval", "server.instance_id",
        "admin.address", "admin.port", "admin.token", "admin.idle_timeout", "admin.tls.enabled", "admin.tls.cert", "admin.tls.key",
        "auth.enabled", "auth.timeout", "auth.backend", "auth.max_failures", "auth.failure_window",
        "auth.max_failures_per_user", "auth.recheck_interval", "auth.zoneminder_recheck", "auth.zoneminder_grace", "auth.login_cache",
        "store.backend", "store.path", "store.url", "store.password", "store.password_file",
        "push.enabled", "push.max_age", "push.claim_lease", "push.retention", "push.title", "push.body",
        "push.date_format", "push.tag_event_id", "push.replace_previous",
        "pictures.enabled", "pictures.public_url", "pictures.ttl", "pictures.frame", "pictures.width", "pictures.cache_mb",
        "zoneminder.enabled", "zoneminder.url", "zoneminder.user", "zoneminder.password", "zoneminder.shm_dir",
        "zoneminder.poll_interval", "zoneminder.send_event_end", "zoneminder.login_cache",
    ] + hookScalarKeys
    static let listKeys: [String] = ["zoneminder.monitors", "server.trusted_proxies", "server.tls.hostnames", "rules", "mqtt"] + hookListKeys
    static let sections: Set<String> = ["log", "server", "server.tls", "admin", "admin.tls", "auth", "store", "push", "pictures", "zoneminder", "hooks"]

    /// The keys whose values are secrets, masked by `check-config`.
    public static let secretKeys: Set<String> = ["admin.token", "zoneminder.password", "mqtt[].password", "store.password"]

    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The file to read: `--config` when given, else `./zmes.yml`, else `/etc/zmes/zmes.yml`, else none.
    public static func defaultPath(explicit: String?) -> String? {
        if let explicit { return explicit }
        for candidate in ["zmes.yml", "/etc/zmes/zmes.yml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    public func load(path: String?) throws(ConfigurationError) -> Configuration {
        var values: [String: Value] = [:]
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
            }
            try load(yaml: text, path: path, into: &values)
        }
        let keysByVariable = Dictionary(uniqueKeysWithValues: Self.environmentKeys.map { (Self.variable(for: $0), $0) })
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("ZMES_") {
            guard let key = keysByVariable[variable] else {
                if Self.reservedVariablePrefixes.contains(where: variable.hasPrefix) { continue }
                throw .unknownVariable(variable)
            }
            values[key] = .environment(value, variable: variable)
        }
        return try build(from: values)
    }

    /// The keys the environment can set: every one but `zoneminder.monitors`, `rules` and `mqtt`.
    static var environmentKeys: [String] { scalarKeys + ["server.trusted_proxies", "server.tls.hostnames"] }

    /// `server.tls.enabled` → `ZMES_SERVER_TLS_ENABLED`.
    static func variable(for key: String) -> String {
        "ZMES_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// `ZMES_*` names that are not configuration: the project's own test switches (docs/CONFIGURATION.md).
    static let reservedVariablePrefixes = ["ZMES_TEST_", "ZMES_E2E_", "ZMES_STORM_TEST"]

    /// Parses YAML text alone (no environment), e.g. for tests and `check-config`.
    public func load(yaml: String, path: String = "zmes.yml") throws(ConfigurationError) -> Configuration {
        var values: [String: Value] = [:]
        try load(yaml: yaml, path: path, into: &values)
        return try build(from: values)
    }

    // MARK: - Reading

    enum Value {
        case node(Node)
        case environment(String, variable: String)
    }

    private func load(yaml: String, path: String, into values: inout [String: Value]) throws(ConfigurationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .notYAML(path: path, reason: "\(error)")
        }
        guard let root else { return }  // an empty file sets nothing
        guard let mapping = root.mapping else {
            throw .wrongType(key: "(top level)", expected: "a mapping of sections", found: Self.describe(root))
        }
        try flatten(mapping, prefix: "", into: &values)
    }

    private func flatten(_ mapping: Node.Mapping, prefix: String, into values: inout [String: Value]) throws(ConfigurationError) {
        for (keyNode, valueNode) in mapping {
            let key = prefix + (keyNode.string ?? "")
            if Self.sections.contains(key) {
                if valueNode.scalar != nil, valueNode.string == "" || valueNode.tag.description.hasSuffix("null") {
                    continue  // an empty section
                }
                guard let inner = valueNode.mapping else {
                    throw .wrongType(key: key, expected: "a mapping", found: Self.describe(valueNode))
                }
                try flatten(inner, prefix: key + ".", into: &values)
            } else if Self.scalarKeys.contains(key) || Self.listKeys.contains(key) {
                values[key] = .node(valueNode)
            } else {
                throw .unknownKey(key)
            }
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: - Building

    private func build(from values: [String: Value]) throws(ConfigurationError) -> Configuration {
        var c = Configuration()
        let reader = Reader(values: values)
        c.log.level = try reader.string("log.level", default: c.log.level).lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(c.log.level) else {
            throw .invalidValue(key: "log.level", reason: "must be trace, debug, info, notice, warning, error or critical")
        }
        c.server.address = try reader.string("server.address", default: c.server.address)
        c.server.port = try reader.port("server.port", default: c.server.port)
        c.server.tls.enabled = try reader.bool("server.tls.enabled", default: c.server.tls.enabled)
        c.server.tls.cert = try reader.string("server.tls.cert", default: c.server.tls.cert)
        c.server.tls.key = try reader.string("server.tls.key", default: c.server.tls.key)
        c.server.tls.hostnames = try reader.hostnames("server.tls.hostnames")
        c.server.maxMessageSize = try reader.int("server.max_message_size", default: c.server.maxMessageSize, range: 1024...(1 << 20))
        c.server.maxSessions = try reader.int("server.max_sessions", default: c.server.maxSessions, range: 1...1_000_000)
        c.server.handshakeTimeout = try reader.double("server.handshake_timeout", default: c.server.handshakeTimeout, range: 0.1...3600)
        c.server.pingInterval = try reader.double("server.ping_interval", default: c.server.pingInterval, range: 0.1...3600)
        c.server.trustedProxies = try reader.addressRanges("server.trusted_proxies")
        c.server.instanceId = try reader.string("server.instance_id", default: c.server.instanceId)
        if !c.server.instanceId.isEmpty, !InstanceID.isValid(c.server.instanceId) {
            throw .invalidValue(key: "server.instance_id", reason: InstanceID.rule)
        }
        c.admin.address = try reader.string("admin.address", default: c.admin.address)
        c.admin.port = try reader.port("admin.port", default: c.admin.port)
        c.admin.token = try reader.string("admin.token", default: c.admin.token)
        c.admin.idleTimeout = try reader.double("admin.idle_timeout", default: c.admin.idleTimeout, range: 1...3600)
        c.admin.tls.enabled = try reader.bool("admin.tls.enabled", default: false)
        c.admin.tls.cert = try reader.string("admin.tls.cert", default: c.admin.tls.cert)
        c.admin.tls.key = try reader.string("admin.tls.key", default: c.admin.tls.key)
        c.admin.tls.hostnames = c.server.tls.hostnames
        c.auth.enabled = try reader.bool("auth.enabled", default: c.auth.enabled)
        c.auth.timeout = try reader.double("auth.timeout", default: c.auth.timeout, range: 0.1...3600)
        let backend = try reader.string("auth.backend", default: c.auth.backend.rawValue)
        guard let parsedBackend = Configuration.AuthBackend(rawValue: backend) else {
            throw .invalidValue(key: "auth.backend", reason: "must be local or zoneminder, found '\(backend)'")
        }
        c.auth.backend = parsedBackend
        c.auth.maxFailures = try reader.int("auth.max_failures", default: c.auth.maxFailures, range: 1...100_000)
        c.auth.failureWindow = try reader.double("auth.failure_window", default: c.auth.failureWindow, range: 1...86_400)
        c.auth.maxFailuresPerUser = try reader.int("auth.max_failures_per_user", default: c.auth.maxFailuresPerUser, range: 0...100_000)
        c.auth.recheckInterval = try reader.double("auth.recheck_interval", default: c.auth.recheckInterval, range: 0.1...3600)
        c.auth.zoneminderRecheck = try reader.double("auth.zoneminder_recheck", default: c.auth.zoneminderRecheck, range: 1...86_400)
        c.auth.zoneminderGrace = try reader.double("auth.zoneminder_grace", default: c.auth.zoneminderGrace, range: 0...(30 * 86_400))
        c.auth.loginCache = try reader.double("auth.login_cache", default: c.auth.loginCache, range: 0...86_400)
        c.store = try Self.store(reader)
        c.push.enabled = try reader.bool("push.enabled", default: c.push.enabled)
        c.push.maxAge = try reader.int("push.max_age", default: c.push.maxAge, range: 1...(30 * 86_400))
        c.push.claimLease = try reader.int("push.claim_lease", default: c.push.claimLease, range: 5...86_400)
        c.push.retention = try reader.int("push.retention", default: c.push.retention, range: 60...(3_650 * 86_400))
        c.push.title = try reader.string("push.title", default: c.push.title)
        c.push.body = try reader.string("push.body", default: c.push.body)
        c.push.dateFormat = try reader.string("push.date_format", default: c.push.dateFormat)
        if c.push.dateFormat.isEmpty { throw .invalidValue(key: "push.date_format", reason: "must not be empty (strftime, e.g. '%I:%M %p, %d-%b')") }
        c.push.tagEventId = try reader.bool("push.tag_event_id", default: c.push.tagEventId)
        c.push.replacePrevious = try reader.bool("push.replace_previous", default: c.push.replacePrevious)
        c.pictures = try Self.pictures(reader)
        c.zoneminder.enabled = try reader.bool("zoneminder.enabled", default: c.zoneminder.enabled)
        c.zoneminder.url = try reader.string("zoneminder.url", default: c.zoneminder.url)
        c.zoneminder.user = try reader.string("zoneminder.user", default: c.zoneminder.user)
        c.zoneminder.password = try reader.string("zoneminder.password", default: c.zoneminder.password)
        c.zoneminder.shmDir = try reader.string("zoneminder.shm_dir", default: c.zoneminder.shmDir)
        c.zoneminder.pollInterval = try reader.double("zoneminder.poll_interval", default: c.zoneminder.pollInterval, range: 0.01...60)
        c.zoneminder.sendEventEnd = try reader.bool("zoneminder.send_event_end", default: c.zoneminder.sendEventEnd)
        c.zoneminder.monitors = try reader.monitors("zoneminder.monitors")
        c.rules = try reader.rules("rules")
        c.hooks = try reader.hooks()
        c.mqtt = try Self.mqttBrokers(values["mqtt"])
        c.zoneminder.loginCache = try reader.double("zoneminder.login_cache", default: c.zoneminder.loginCache, range: 0...86_400)
        if c.zoneminder.enabled || c.auth.backend == .zoneminder {
            guard c.zoneminder.url.hasPrefix("http://") || c.zoneminder.url.hasPrefix("https://") else {
                throw .invalidValue(key: "zoneminder.url", reason: "must be an http:// or https:// URL, found '\(c.zoneminder.url)'")
            }
        }
        if c.pictures.enabled, !c.zoneminder.url.hasPrefix("http://"), !c.zoneminder.url.hasPrefix("https://") {
            throw .invalidValue(key: "zoneminder.url", reason: "pictures are fetched from it: must be an http:// or https:// URL, found '\(c.zoneminder.url)'")
        }
        if !c.admin.token.isEmpty || Self.isLoopback(c.admin.address) {
            return c
        }
        throw .invalidValue(key: "admin.token", reason: "required when admin.address (\(c.admin.address)) is not loopback")
    }

    /// `pictures:` (docs/PICTURES.md).
    private static func pictures(_ reader: Reader) throws(ConfigurationError) -> Configuration.Pictures {
        var p = Configuration.Pictures()
        p.enabled = try reader.bool("pictures.enabled", default: p.enabled)
        p.publicURL = try reader.string("pictures.public_url", default: p.publicURL)
        p.ttl = try reader.int("pictures.ttl", default: p.ttl, range: 60...(30 * 86_400))
        p.frame = try reader.string("pictures.frame", default: p.frame)
        p.width = try reader.int("pictures.width", default: p.width, range: 16...4_096)
        p.cacheMB = try reader.int("pictures.cache_mb", default: p.cacheMB, range: 1...100_000)
        guard Configuration.Pictures.isFrame(p.frame) else {
            throw .invalidValue(key: "pictures.frame", reason: "must be snapshot, alarm, objdetect or a frame number, found '\(p.frame)'")
        }
        if p.enabled {
            guard let url = URL(string: p.publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                url.query == nil, url.user == nil
            else {
                throw .invalidValue(
                    key: "pictures.public_url",
                    reason: "how phones reach zmes's websocket port, e.g. https://zm.example.com:9000 (no user, password or query); found '\(p.publicURL)'")
            }
        }
        return p
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.")
    }
}

/// Typed access to the flattened values, with errors that name the key.
struct Reader {
    let values: [String: ConfigurationLoader.Value]

    func raw(_ key: String) throws(ConfigurationError) -> (text: String, node: Node?)? {
        switch values[key] {
        case nil: return nil
        case .environment(let text, _): return (text, nil)
        case .node(let node):
            guard let scalar = node.scalar else {
                throw .wrongType(key: key, expected: "a single value", found: ConfigurationLoader.describe(node))
            }
            return (scalar.string, node)
        }
    }

    func string(_ key: String, default value: String) throws(ConfigurationError) -> String {
        guard let raw = try raw(key) else { return value }
        if let node = raw.node, node.tag.description.hasSuffix("null") { return "" }
        return raw.text
    }

    func bool(_ key: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = try raw(key) else { return value }
        switch raw.text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .wrongType(key: key, expected: "true or false", found: "'\(raw.text)'")
        }
    }

    func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw = try raw(key) else { return value }
        guard let number = Int(raw.text.trimmingCharacters(in: .whitespaces)) else {
            throw .wrongType(key: key, expected: "a whole number", found: "'\(raw.text)'")
        }
        guard range.contains(number) else {
            throw .invalidValue(key: key, reason: "must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
        }
        return number
    }

    func port(_ key: String, default value: Int) throws(ConfigurationError) -> Int {
        try int(key, default: value, range: 0...65_535)
    }

    func double(_ key: String, default value: Double, range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let raw = try raw(key) else { return value }
        guard let number = Double(raw.text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
            throw .wrongType(key: key, expected: "a number", found: "'\(raw.text)'")
        }
        guard range.contains(number) else {
            throw .invalidValue(key: key, reason: "must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
        }
        return number
    }

    /// A list of addresses and networks, in YAML as a list or as one comma-separated string
    /// (as an environment variable gives it).
    func addressRanges(_ key: String) throws(ConfigurationError) -> [AddressRange] {
        let entries: [String]
        switch values[key] {
        case nil: return []
        case .environment(let text, _): entries = text.split(separator: ",").map(String.init)
        case .node(let node):
            if let sequence = node.sequence {
                var strings: [String] = []
                for entry in sequence {
                    guard let text = entry.string else {
                        throw .wrongType(key: key, expected: "a list of addresses like [127.0.0.1, 10.0.0.0/8]", found: ConfigurationLoader.describe(entry))
                    }
                    strings.append(text)
                }
                entries = strings
            } else if let text = node.string {
                entries = text.split(separator: ",").map(String.init)
            } else {
                throw .wrongType(key: key, expected: "a list of addresses like [127.0.0.1, 10.0.0.0/8]", found: ConfigurationLoader.describe(node))
            }
        }
        var ranges: [AddressRange] = []
        for entry in entries {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let range = AddressRange(text) else {
                throw .invalidValue(key: key, reason: "'\(text)' is not an IP address or a network like 10.0.0.0/8")
            }
            ranges.append(range)
        }
        return ranges
    }

    /// A list of DNS names and IP addresses (or one comma-separated string, as an environment variable gives).
    func hostnames(_ key: String) throws(ConfigurationError) -> [String] {
        var entries: [String]
        switch values[key] {
        case nil: return []
        case .environment(let text, _):
            entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .node(let node):
            if let sequence = node.sequence {
                entries = []
                for (index, entry) in sequence.enumerated() {
                    guard let text = entry.scalar?.string else {
                        throw .wrongType(key: "\(key)[\(index)]", expected: "a host name or address", found: ConfigurationLoader.describe(entry))
                    }
                    entries.append(text.trimmingCharacters(in: .whitespaces))
                }
            } else if let text = node.scalar?.string {
                entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            } else {
                throw .wrongType(key: key, expected: "a list of host names and addresses", found: ConfigurationLoader.describe(node))
            }
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.*:[]")
        for entry in entries where entry.isEmpty || entry.count > 253 || !entry.allSatisfy({ allowed.contains($0) }) {
            throw .invalidValue(key: key, reason: "'\(entry)' is neither a DNS name nor an IP address")
        }
        return entries
    }

    func monitors(_ key: String) throws(ConfigurationError) -> [Configuration.Monitor] {
        guard let value = values[key] else { return [] }
        guard case .node(let node) = value, let sequence = node.sequence else {
            throw .wrongType(key: key, expected: "a list like [{id: 1, name: Garage}]", found: "something else")
        }
        var monitors: [Configuration.Monitor] = []
        for (index, entry) in sequence.enumerated() {
            let entryKey = "\(key)[\(index)]"
            guard let mapping = entry.mapping else {
                throw .wrongType(key: entryKey, expected: "a mapping with id and name", found: ConfigurationLoader.describe(entry))
            }
            for (k, _) in mapping where k.string != "id" && k.string != "name" {
                throw .unknownKey("\(entryKey).\(k.string ?? "")")
            }
            guard let id = mapping["id"]?.int, id >= 0 else {
                throw .invalidValue(key: "\(entryKey).id", reason: "must be a monitor id (a whole number)")
            }
            guard let name = mapping["name"]?.string, !name.isEmpty else {
                throw .invalidValue(key: "\(entryKey).name", reason: "must be the monitor's name")
            }
            monitors.append(.init(id: id, name: name))
        }
        return monitors
    }

    /// `rules: [{monitor: 3, from: "21:00", to: "07:00", days: [mon, fri], cause_has: "person", action: mute}]`.
    func rules(_ key: String) throws(ConfigurationError) -> [MonitorRule] {
        guard let value = values[key] else { return [] }
        guard case .node(let node) = value, let sequence = node.sequence else {
            throw .wrongType(key: key, expected: "a list like [{monitor: 3, from: \"21:00\", to: \"07:00\", action: mute}]", found: "something else")
        }
        var rules: [MonitorRule] = []
        let fields: Set<String> = ["monitor", "from", "to", "days", "cause_has", "action"]
        for (index, entry) in sequence.enumerated() {
            let entryKey = "\(key)[\(index)]"
            guard let mapping = entry.mapping else {
                throw .wrongType(key: entryKey, expected: "a mapping with monitor and action", found: ConfigurationLoader.describe(entry))
            }
            for (k, _) in mapping where !fields.contains(k.string ?? "") {
                throw .unknownKey("\(entryKey).\(k.string ?? "")")
            }
            guard let monitor = mapping["monitor"]?.int, monitor >= 0 else {
                throw .invalidValue(key: "\(entryKey).monitor", reason: "must be a monitor id (a whole number)")
            }
            guard let actionText = mapping["action"]?.scalar?.string, let action = MonitorRule.Action(rawValue: actionText) else {
                throw .invalidValue(key: "\(entryKey).action", reason: "must be mute or critical")
            }
            let from = mapping["from"]?.scalar?.string
            let to = mapping["to"]?.scalar?.string
            guard (from == nil) == (to == nil) else {
                throw .invalidValue(key: entryKey, reason: "from and to go together (neither: all day)")
            }
            do {
                let window = try from.flatMap { from in try to.map { to in try TimeWindow(from: from, to: to) } }
                var days: Set<Weekday> = []
                if let daysNode = mapping["days"] {
                    let names = daysNode.sequence.map { $0.compactMap { $0.scalar?.string } }
                        ?? (daysNode.scalar?.string ?? "").split(separator: ",").map(String.init)
                    for name in names { days.insert(try Weekday(name: name)) }
                }
                let pattern = mapping["cause_has"]?.scalar?.string
                rules.append(try MonitorRule(monitorId: monitor, window: window, days: days, causePattern: pattern, action: action))
            } catch {
                throw .invalidValue(key: entryKey, reason: "\(error)")
            }
        }
        return rules
    }
}
