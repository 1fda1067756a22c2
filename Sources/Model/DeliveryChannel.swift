/// The ways an alarm reaches people: what the hooks' `*_notify_on_*` settings choose among.
public enum DeliveryChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// The JSON alarm over the websocket, to connected clients.
    case websocket
    /// APNs, FCM or the proxy, through the outbox.
    case push
    /// The MQTT brokers of `mqtt:`.
    case mqtt
}
