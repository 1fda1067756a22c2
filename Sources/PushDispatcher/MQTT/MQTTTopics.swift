/// The topics zmes publishes to on one broker (docs/MQTT.md lists them).
struct MQTTTopics: Sendable {
    var topic: String
    var discoveryPrefix: String
    /// Names this zmes in Home Assistant's unique ids and discovery topics: the client id, made topic-safe.
    var node: String

    static let online = "online"
    static let offline = "offline"

    init(broker: MQTTBroker) {
        topic = broker.topic
        discoveryPrefix = broker.discoveryPrefix
        node = String(broker.clientID.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }

    /// The Perl server's topic for a monitor's alarms.
    func compatible(monitor: Int) -> String { "\(topic)/\(monitor)" }
    /// `online` while zmes is connected, `offline` (the last will, or said on a clean stop) otherwise.
    var availability: String { "\(topic)/zmes/availability" }
    /// The motion binary sensor's state, `ON` or `OFF`, retained.
    func motionState(monitor: Int) -> String { "\(topic)/\(monitor)/motion" }
    /// The event entity's topic: one message per alarm.
    func alarmEvent(monitor: Int) -> String { "\(topic)/\(monitor)/event" }
    /// Home Assistant says `online` here when it starts: discovery is sent again.
    var homeAssistantStatus: String { "\(discoveryPrefix)/status" }
    func motionConfig(monitor: Int) -> String { "\(discoveryPrefix)/binary_sensor/\(node)/monitor_\(monitor)_motion/config" }
    func eventConfig(monitor: Int) -> String { "\(discoveryPrefix)/event/\(node)/monitor_\(monitor)_alarm/config" }
}
