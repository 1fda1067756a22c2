/// The MQTT protocol version a connection speaks.
public enum MQTTVersion: String, Sendable, Hashable, CaseIterable {
    case v311 = "3.1.1"
    case v5 = "5"
}

/// MQTT's delivery guarantees: at most once, at least once.
public enum MQTTQoS: Int32, Sendable, Hashable {
    case atMostOnce = 0
    case atLeastOnce = 1
}
