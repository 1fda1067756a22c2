/// How to reach and log in to one broker. The password is never printed: `description` masks it.
public struct MQTTConnectionOptions: Sendable, Equatable, CustomStringConvertible {
    /// The message the broker publishes for this client when it goes away without saying so.
    public struct Will: Sendable, Equatable {
        public var topic: String
        public var payload: String
        public var retain: Bool

        public init(topic: String, payload: String, retain: Bool) {
            self.topic = topic
            self.payload = payload
            self.retain = retain
        }
    }

    public var host: String
    public var port: Int
    /// Speak TLS (`mqtts://`); the broker's certificate is checked against `caFile`, or the system's CAs.
    public var tls: Bool
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var username: String?
    public var password: String?
    /// Must be stable across restarts: the broker keeps the session (QoS 1 state) under it.
    public var clientID: String
    public var keepalive: Int
    public var version: MQTTVersion
    public var will: Will?
    /// Topics subscribed to (QoS 1) on every connect, e.g. `homeassistant/status`.
    public var subscriptions: [String]
    /// How long the broker keeps the session after a disconnect (MQTT 5; 3.1.1 keeps it for good).
    public var sessionExpiry: UInt32

    public init(
        host: String, port: Int, tls: Bool = false, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
        username: String? = nil, password: String? = nil, clientID: String, keepalive: Int = 60, version: MQTTVersion = .v5,
        will: Will? = nil, subscriptions: [String] = [], sessionExpiry: UInt32 = 7 * 86_400
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.username = username
        self.password = password
        self.clientID = clientID
        self.keepalive = keepalive
        self.version = version
        self.will = will
        self.subscriptions = subscriptions
        self.sessionExpiry = sessionExpiry
    }

    public var description: String {
        "\(tls ? "mqtts" : "mqtt")://\(username.map { "\($0):********@" } ?? "")\(host):\(port) (client id \(clientID), MQTT \(version.rawValue))"
    }
}
