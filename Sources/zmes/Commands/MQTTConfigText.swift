import EventServer
import PushDispatcher

/// `mqtt:` as `check-config` prints it, the password masked.
enum MQTTConfigText {
    static func yaml(_ brokers: [MQTTBroker], mask: (String) -> String) -> String {
        guard !brokers.isEmpty else { return "mqtt: []" }
        var lines = ["mqtt:"]
        for broker in brokers {
            lines += [
                "  - name: \"\(broker.name)\"",
                "    url: \"\(broker.url)\"",
                "    username: \"\(broker.username ?? "")\"",
                "    password: \(mask(broker.password ?? ""))",
                "    client_id: \"\(broker.clientID)\"",
                "    ca_file: \"\(broker.caFile ?? "")\"",
                "    cert_file: \"\(broker.certFile ?? "")\"",
                "    key_file: \"\(broker.keyFile ?? "")\"",
                "    topic: \"\(broker.topic)\"",
                "    retain: \(broker.retain)",
                "    discovery: \(broker.discovery)",
                "    discovery_prefix: \"\(broker.discoveryPrefix)\"",
                "    version: \"\(broker.version.rawValue)\"",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
