import Foundation

/// Turns a zmeventnotification.ini (with its secrets.ini) into an equivalent zmes.yml and,
/// when it used the zmNinja proxy, a proxy credential; reports what has no equivalent.
public struct EventNotificationMigration: Sendable {
    public struct Result: Sendable {
        public var configuration: String
        /// A credentials file (Credentials.example format) for the proxy key, if the ini had one.
        public var credentials: String?
        /// One line per setting that was not carried over, and why.
        public var notCarriedOver: [String]
    }

    let ini: IniFile
    let secrets: IniFile?

    public init(ini: IniFile, secrets: IniFile?) {
        self.ini = ini
        self.secrets = secrets
    }

    /// A value with `!SECRET` looked up in secrets.ini and `{{key}}` filled from `[general]`.
    func resolved(_ section: String, _ key: String) -> String? {
        guard var value = ini.value(section, key) else { return nil }
        if value.hasPrefix("!") {
            let name = String(value.dropFirst()).lowercased()
            guard let secret = secrets?.value("secrets", name) else { return nil }
            value = secret
        }
        while let open = value.range(of: "{{"), let close = value.range(of: "}}", range: open.upperBound..<value.endIndex) {
            let name = value[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
            value.replaceSubrange(open.lowerBound..<close.upperBound, with: ini.value("general", name) ?? "")
        }
        return value
    }

    static func flag(_ value: String?) -> Bool? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "yes", "true", "1", "on": return true
        case "no", "false", "0", "off": return false
        default: return nil
        }
    }

    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public func run() -> Result {
        var used: Set<String> = []
        var notes: [String] = []
        func take(_ section: String, _ key: String) -> String? {
            used.insert("\(section).\(key)")
            return resolved(section, key)
        }
        var lines: [String] = ["# Migrated from zmeventnotification.ini by zmes migrate", "server:"]
        if let address = take("network", "address"), !address.isEmpty { lines.append("  address: \(Self.quoted(address))") }
        let port = Int(take("network", "port") ?? "") ?? 9000
        lines.append("  port: \(port)")
        let sslOn = Self.flag(take("ssl", "enable")) ?? true
        lines.append("  tls:")
        lines.append("    enabled: \(sslOn)")
        if sslOn {
            let cert = take("ssl", "cert") ?? ""
            let key = take("ssl", "key") ?? ""
            if !cert.isEmpty && !key.isEmpty {
                lines.append("    cert: \(Self.quoted(cert))")
                lines.append("    key: \(Self.quoted(key))")
            } else if !cert.isEmpty || !key.isEmpty {
                notes.append("ssl.cert/ssl.key: only one of them was set; zmes will generate a self-signed pair")
            }
        }
        lines.append("auth:")
        let authOn = Self.flag(take("auth", "enable")) ?? true
        lines.append("  enabled: \(authOn)")
        lines.append("  timeout: \(Int(take("auth", "timeout") ?? "") ?? 20)")
        lines.append("  backend: zoneminder")
        lines.append("push:")
        let fcmOn = Self.flag(take("fcm", "enable")) ?? true
        lines.append("  enabled: \(fcmOn)")
        lines += Self.pushTextLines(take)
        lines.append("zoneminder:")
        lines.append("  enabled: true")
        if let portal = take("general", "portal") ?? secrets?.value("secrets", "zm_portal") {
            lines.append("  url: \(Self.quoted(portal))")
        }
        if let user = take("general", "user") ?? secrets?.value("secrets", "zm_user") { lines.append("  user: \(Self.quoted(user))") }
        if let password = take("general", "password") ?? secrets?.value("secrets", "zm_password") {
            lines.append("  password: \(Self.quoted(password))")
        }
        lines.append("  send_event_end: \(Self.flag(take("customize", "send_event_end_notification")) ?? false)")
        if let interval = take("customize", "event_check_interval") {
            notes.append("customize.event_check_interval=\(interval): zmes polls shared memory every zoneminder.poll_interval (0.25 s)")
        }
        lines += Self.pictureLines(take, port: port, tls: sslOn, notes: &notes)
        lines += Self.mqttLines(take, notes: &notes)
        var credentials: String?
        if let key = take("fcm", "fcm_v1_key"), !key.isEmpty {
            let url = take("fcm", "fcm_v1_url").flatMap { $0.isEmpty ? nil : $0 }
                ?? "https://us-central1-ninja-1105.cloudfunctions.net/send_push"
            credentials = "proxy:\n  - name: zmninja\n    url: \(Self.quoted(url))\n    key: \(Self.quoted(key))\n"
        } else if fcmOn {
            notes.append("fcm: no fcm_v1_key found; register push credentials with zmes credentials add")
        }
        let hooks = hookSection(take)
        lines += hooks.lines
        notes += hooks.notes
        for key in ["token_file", "use_fcmv1"] { used.insert("fcm.\(key)") }
        used.insert("general.secrets")
        used.insert("general.base_data_path")
        for key in ini.allKeys where !used.contains(key) {
            notes.append("\(key): not carried over (no equivalent in zmes)")
        }
        return Result(configuration: lines.joined(separator: "\n") + "\n", credentials: credentials, notCarriedOver: notes)
    }
}
