import Foundation
import MQTTClient

/// One broker of `mqtt:` (docs/MQTT.md): where it is, how to log in, and what zmes publishes there.
public struct MQTTBroker: Sendable, Equatable {
    /// Names the broker in logs, `zmes push list` (the job's token) and the job's credential.
    public var name: String
    /// `mqtt://host:1883` or `mqtts://host:8883`, as configured.
    public var url: String
    public var host: String
    public var port: Int
    public var tls: Bool
    public var username: String?
    public var password: String?
    public var clientID: String
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// The Perl server's topic: alarms go to `<topic>/<monitor id>`.
    public var topic = "zoneminder"
    public var retain = false
    /// Home Assistant MQTT discovery, under `discoveryPrefix`.
    public var discovery = true
    public var discoveryPrefix = "homeassistant"
    public var version: MQTTVersion = .v5
    public var keepalive = 60

    /// - Throws: a reason when `url` is not `mqtt://host[:port]` or `mqtts://host[:port]`.
    public init(name: String, url: String, clientID: String? = nil) throws(MQTTBrokerURLError) {
        self.name = name
        self.url = url
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["mqtt", "mqtts"].contains(scheme),
            let host = parsed.host, !host.isEmpty, parsed.path.isEmpty || parsed.path == "/", parsed.query == nil,
            parsed.user == nil, parsed.password == nil
        else {
            throw MQTTBrokerURLError(url: url)
        }
        self.host = host
        tls = scheme == "mqtts"
        port = parsed.port ?? (tls ? 8883 : 1883)
        guard (1...65_535).contains(port) else { throw MQTTBrokerURLError(url: url) }
        self.clientID = clientID ?? "zmes-\(name)"
    }

    /// The connection settings, with `offline` on the availability topic as the last will.
    var connectionOptions: MQTTConnectionOptions {
        MQTTConnectionOptions(
            host: host, port: port, tls: tls, caFile: caFile, certFile: certFile, keyFile: keyFile, username: username,
            password: password, clientID: clientID, keepalive: keepalive, version: version,
            will: .init(topic: MQTTTopics(broker: self).availability, payload: MQTTTopics.offline, retain: true),
            subscriptions: discovery ? [MQTTTopics(broker: self).homeAssistantStatus] : [])
    }
}

/// A broker `url` zmes cannot use.
public struct MQTTBrokerURLError: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var description: String {
        "'\(url)' is not a broker URL: use mqtt://host:1883 or mqtts://host:8883 (no user, password or path; those have keys of their own)"
    }
}
