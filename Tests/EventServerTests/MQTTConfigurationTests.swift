import Foundation
import Testing

@testable import EventServer

@Suite("mqtt: configuration")
struct MQTTConfigurationTests {
    @Test("a broker with every key")
    func everyKey() throws {
        let ca = NSTemporaryDirectory() + "zmes-mqtt-ca-\(UUID().uuidString).pem"
        try "not checked here".write(toFile: ca, atomically: true, encoding: .utf8)
        let c = try ConfigurationLoader().load(yaml: """
            mqtt:
              - name: home
                url: "mqtts://broker.lan:8884"
                username: zmes
                password: secret
                client_id: zmes-1
                ca_file: \(ca)
                topic: zm
                retain: true
                discovery: false
                discovery_prefix: ha
                version: 3.1.1
            """)
        let broker = try #require(c.mqtt.first)
        #expect(broker.name == "home" && broker.host == "broker.lan" && broker.port == 8884 && broker.tls)
        #expect(broker.username == "zmes" && broker.password == "secret" && broker.clientID == "zmes-1" && broker.caFile == ca)
        #expect(broker.topic == "zm" && broker.retain && !broker.discovery && broker.discoveryPrefix == "ha" && broker.version == .v311)
    }

    @Test("defaults: topic zoneminder, retain off, discovery on under homeassistant, MQTT 5")
    func defaults() throws {
        let broker = try #require(try ConfigurationLoader().load(yaml: "mqtt: [{name: home, url: \"mqtt://127.0.0.1\"}]").mqtt.first)
        #expect(broker.topic == "zoneminder" && !broker.retain && broker.discovery && broker.discoveryPrefix == "homeassistant")
        #expect(broker.version == .v5 && broker.port == 1883 && broker.clientID == "zmes-home")
    }

    @Test("mistakes name the key and say what to do", arguments: [
        ("mqtt: [{name: a, url: \"http://x\"}]", "'mqtt[0].url': 'http://x' is not a broker URL"),
        ("mqtt: [{name: a, url: \"mqtt://x\"}, {name: a, url: \"mqtt://y\"}]", "'mqtt[1].name': 'a' names two brokers"),
        ("mqtt: [{name: a, url: \"mqtts://x\", ca_file: /nonexistent/ca.pem}]", "'mqtt[0].ca_file': cannot read '/nonexistent/ca.pem'"),
        ("mqtt: [{name: a, url: \"mqtt://x\", version: 4}]", "'mqtt[0].version': must be 5 or 3.1.1"),
        ("mqtt: [{name: a, url: \"mqtt://x\", topic: \"zm/#\"}]", "'mqtt[0].topic': must be a topic"),
        ("mqtt: [{name: a, url: \"mqtt://x\", colour: red}]", "unknown key 'mqtt[0].colour'"),
        ("mqtt: [{url: \"mqtt://x\"}]", "'mqtt[0].name': required"),
        ("mqtt: [{name: a, url: \"mqtt://x\", password: p}]", "'mqtt[0].password': a password needs a username"),
    ])
    func mistakes(yaml: String, message: String) {
        do {
            _ = try ConfigurationLoader().load(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error)")
        }
    }
}
