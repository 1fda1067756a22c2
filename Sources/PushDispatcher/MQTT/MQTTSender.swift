import Logging
import MQTTClient
import Model

/// The sender of the outbox's `mqtt` jobs: each job names its broker (its token is the broker's
/// `name`), and is delivered when that broker acknowledged every message of the alarm.
public final class MQTTSender: PushSender {
    private let clients: [String: MQTTBrokerClient]
    /// The name the dispatcher files this sender's outcomes under.
    public static let credentialName = "mqtt"

    /// - Parameter monitors: the monitors announced to Home Assistant from the start (`zoneminder.monitors`).
    public init(brokers: [MQTTBroker], monitors: [Int: String], logger: Logger) throws(MQTTError) {
        var clients: [String: MQTTBrokerClient] = [:]
        for broker in brokers {
            clients[broker.name] = try MQTTBrokerClient(broker: broker, monitors: monitors, logger: logger)
        }
        self.clients = clients
    }

    /// Connects to every broker (each on its own thread).
    public func start() {
        for client in clients.values { client.start() }
    }

    /// Says `offline` to every broker and disconnects.
    public func stop() async {
        for client in clients.values { await client.stop() }
    }

    /// Each broker: `ok`, or why it is not connected (for `/healthz`).
    public var health: [String: String] {
        clients.mapValues { $0.failure ?? "ok" }
    }

    /// A broker gets one alarm's messages, then the next alarm's of the same broker: an event's end
    /// must not overtake its start (the motion state is retained).
    public var sendsInOrder: Bool { true }

    public func send(_ message: PushMessage) async -> PushOutcome {
        guard let client = clients[message.token] else {
            return .failed(reason: "MQTT broker '\(message.token)' is not in the configuration (mqtt:) any more")
        }
        do {
            try await client.publish(message.alarm)
            return .delivered
        } catch {
            return Self.outcome(error, broker: message.token)
        }
    }

    static func outcome(_ error: MQTTError, broker: String) -> PushOutcome {
        let reason = "MQTT broker '\(broker)': \(error)"
        switch error {
        case .notConnected, .disconnected, .timedOut, .stopped: return .retry(reason: reason, after: nil)
        case .connectionRefused, .refused, .library: return .failed(reason: reason)
        }
    }
}
