import Foundation

/// The Perl server's `[mqtt]` section as one broker of zmes's `mqtt:` (docs/MQTT.md).
extension EventNotificationMigration {
    /// `mqtt:` lines when `[mqtt] enable` is on; `server` is `host` or `host:port`, over TLS when `tls_ca`
    /// is set (as there). Discovery stays off: the Perl server sent none, and its users' automations read
    /// `<topic>/<monitor id>`, which zmes publishes as it did.
    static func mqttLines(_ take: (String, String) -> String?, notes: inout [String]) -> [String] {
        let server = take("mqtt", "server") ?? ""
        let fields = ["topic", "username", "password", "retain", "tls_ca", "tls_cert", "tls_key", "tls_insecure", "tick_interval"]
        let values = Dictionary(uniqueKeysWithValues: fields.map { ($0, take("mqtt", $0) ?? "") }).filter { !$0.value.isEmpty }
        guard flag(take("mqtt", "enable")) == true else { return [] }
        guard !server.isEmpty else {
            notes.append("mqtt.enable: on, but no mqtt.server; add a broker to mqtt: by hand (docs/MQTT.md)")
            return []
        }
        let tls = values["tls_ca"] != nil
        let host = server.contains("://") ? String(server.split(separator: "/").last ?? "") : server
        let address = host.contains(":") ? host : "\(host):\(tls ? 8883 : 1883)"
        var lines = ["mqtt:", "  - name: \"perl\"", "    url: \(quoted("\(tls ? "mqtts" : "mqtt")://\(address)"))"]
        if let topic = values["topic"] { lines.append("    topic: \(quoted(topic))") }
        if let username = values["username"], let password = values["password"] {
            lines.append("    username: \(quoted(username))")
            lines.append("    password: \(quoted(password))")
        } else if values["username"] != nil || values["password"] != nil {
            notes.append("mqtt.username/mqtt.password: the Perl server used them only together; not carried over")
        }
        // zmes refuses a file it cannot read; one missing here is left out and named, not carried over broken.
        func readable(_ key: String) -> String? {
            guard let path = values[key] else { return nil }
            if FileManager.default.isReadableFile(atPath: path) { return path }
            notes.append("mqtt.\(key)=\(path): cannot be read here; not carried over (set it in mqtt: when the file is in place)")
            return nil
        }
        if let ca = readable("tls_ca") { lines.append("    ca_file: \(quoted(ca))") }
        if tls, values["tls_cert"] != nil, values["tls_key"] != nil, let cert = readable("tls_cert"), let key = readable("tls_key") {
            lines.append("    cert_file: \(quoted(cert))")
            lines.append("    key_file: \(quoted(key))")
        }
        lines.append("    retain: \(flag(values["retain"]) ?? false)")
        lines.append("    discovery: false")
        lines.append("    version: \"3.1.1\"")
        if flag(values["tls_insecure"]) == true {
            notes.append("mqtt.tls_insecure: not carried over: zmes always checks the broker's certificate (give its CA as ca_file)")
        }
        if let tick = values["tick_interval"] {
            notes.append("mqtt.tick_interval=\(tick): zmes keeps the connection alive with MQTT keepalive (60 s)")
        }
        return lines
    }
}
