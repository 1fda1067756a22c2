import Foundation
import MQTTClient
import PushDispatcher
import Yams

extension ConfigurationLoader {
    /// The keys of one `mqtt:` entry (docs/MQTT.md).
    static let mqttFields: Set<String> = [
        "name", "url", "username", "password", "client_id", "ca_file", "cert_file", "key_file", "topic", "retain",
        "discovery", "discovery_prefix", "version",
    ]

    /// `mqtt: [{name: home, url: "mqtt://broker:1883", ...}]`: each broker checked, names unique, files readable.
    static func mqttBrokers(_ value: Value?) throws(ConfigurationError) -> [MQTTBroker] {
        guard let value else { return [] }
        guard case .node(let node) = value else {
            throw .wrongType(key: "mqtt", expected: "a list of brokers in zmes.yml", found: "an environment variable")
        }
        if node.scalar != nil, node.string == "" || node.tag.description.hasSuffix("null") { return [] }
        guard let sequence = node.sequence else {
            throw .wrongType(key: "mqtt", expected: "a list like [{name: home, url: \"mqtt://127.0.0.1:1883\"}]", found: describe(node))
        }
        var brokers: [MQTTBroker] = []
        for (index, entry) in sequence.enumerated() {
            let broker = try mqttBroker(entry, key: "mqtt[\(index)]")
            if brokers.contains(where: { $0.name == broker.name }) {
                throw .invalidValue(key: "mqtt[\(index)].name", reason: "'\(broker.name)' names two brokers; each needs its own name")
            }
            if brokers.contains(where: { $0.host == broker.host && $0.port == broker.port && $0.clientID == broker.clientID }) {
                throw .invalidValue(
                    key: "mqtt[\(index)].client_id",
                    reason: "'\(broker.clientID)' is already used on \(broker.host):\(broker.port); the broker would drop one connection for the other")
            }
            brokers.append(broker)
        }
        return brokers
    }

    private static func mqttBroker(_ entry: Node, key: String) throws(ConfigurationError) -> MQTTBroker {
        guard let mapping = entry.mapping else {
            throw .wrongType(key: key, expected: "a mapping with name and url", found: describe(entry))
        }
        var fields: [String: String] = [:]
        for (k, v) in mapping {
            let field = k.string ?? ""
            guard mqttFields.contains(field) else { throw .unknownKey("\(key).\(field)") }
            guard let scalar = v.scalar else { throw .wrongType(key: "\(key).\(field)", expected: "a single value", found: describe(v)) }
            fields[field] = v.tag.description.hasSuffix("null") ? nil : scalar.string
        }
        guard let name = fields["name"], !name.isEmpty else {
            throw .invalidValue(key: "\(key).name", reason: "required: a short name for this broker (it names its jobs in zmes push list)")
        }
        guard let url = fields["url"] else {
            throw .invalidValue(key: "\(key).url", reason: "required: mqtt://host:1883 or mqtts://host:8883")
        }
        let clientID = fields["client_id"].flatMap { $0.isEmpty ? nil : $0 }
        var broker: MQTTBroker
        do {
            broker = try MQTTBroker(name: name, url: url, clientID: clientID)
        } catch {
            throw .invalidValue(key: "\(key).url", reason: error.description)
        }
        guard broker.clientID.utf8.count <= 65_535 else { throw .invalidValue(key: "\(key).client_id", reason: "too long") }
        broker.username = fields["username"].flatMap { $0.isEmpty ? nil : $0 }
        broker.password = fields["password"].flatMap { $0.isEmpty ? nil : $0 }
        if broker.password != nil, broker.username == nil {
            throw .invalidValue(key: "\(key).password", reason: "a password needs a username (MQTT sends no password alone)")
        }
        for (field, path) in [("ca_file", fields["ca_file"]), ("cert_file", fields["cert_file"]), ("key_file", fields["key_file"])] {
            guard let path, !path.isEmpty else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw .invalidValue(key: "\(key).\(field)", reason: "cannot read '\(path)' (missing, or not readable by the user zmes runs as)")
            }
            if !broker.tls {
                throw .invalidValue(key: "\(key).\(field)", reason: "used only over TLS: make the url mqtts://")
            }
        }
        broker.caFile = fields["ca_file"].flatMap { $0.isEmpty ? nil : $0 }
        broker.certFile = fields["cert_file"].flatMap { $0.isEmpty ? nil : $0 }
        broker.keyFile = fields["key_file"].flatMap { $0.isEmpty ? nil : $0 }
        if (broker.certFile == nil) != (broker.keyFile == nil) {
            throw .invalidValue(key: "\(key).cert_file", reason: "cert_file and key_file go together (a client certificate and its key)")
        }
        broker.topic = try mqttTopic(fields["topic"], default: broker.topic, key: "\(key).topic")
        broker.discoveryPrefix = try mqttTopic(fields["discovery_prefix"], default: broker.discoveryPrefix, key: "\(key).discovery_prefix")
        broker.retain = try mqttBool(fields["retain"], default: broker.retain, key: "\(key).retain")
        broker.discovery = try mqttBool(fields["discovery"], default: broker.discovery, key: "\(key).discovery")
        if let text = fields["version"] {
            guard let version = MQTTVersion(rawValue: text == "5.0" ? "5" : text == "3.1.1" ? "3.1.1" : text) else {
                throw .invalidValue(key: "\(key).version", reason: "must be 5 or 3.1.1, found '\(text)'")
            }
            broker.version = version
        }
        return broker
    }

    private static func mqttTopic(_ text: String?, default value: String, key: String) throws(ConfigurationError) -> String {
        guard let text else { return value }
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0 == "#" || $0 == "+" || $0 == "\0" }) else {
            throw .invalidValue(key: key, reason: "must be a topic like zoneminder (no # or + wildcards), found '\(text)'")
        }
        return trimmed
    }

    private static func mqttBool(_ text: String?, default value: Bool, key: String) throws(ConfigurationError) -> Bool {
        guard let text else { return value }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .wrongType(key: key, expected: "true or false", found: "'\(text)'")
        }
    }
}
