import Logging
import Model
import PushDispatcher
import ServiceLifecycle

/// The `mqtt:` brokers as one sender of the outbox's `mqtt` jobs.
///
/// The sender is registered even with no broker configured: jobs left from a broker removed from
/// the configuration then fail with that reason instead of waiting in the outbox for ever.
struct MQTTSetup: Sendable {
    let sender: MQTTSender
    let configured: Bool

    static func make(configuration: Configuration, logger: Logger) throws -> MQTTSetup {
        let monitors = configuration.zoneminder.monitorNames
        let sender = try MQTTSender(brokers: configuration.mqtt, monitors: monitors, logger: logger)
        return MQTTSetup(sender: sender, configured: !configuration.mqtt.isEmpty)
    }

    /// The sender for `/healthz`, when there is a broker to report.
    var healthReported: MQTTSender? { configured ? sender : nil }

    /// The push senders with the MQTT one added (it is not a credential, so a reload keeps it).
    func adding(to senders: [PushProvider: CredentialSender]) -> [PushProvider: CredentialSender] {
        senders.merging([.mqtt: CredentialSender(credentialName: MQTTSender.credentialName, sender: sender)]) { _, mqtt in mqtt }
    }
}

/// Connects to the brokers while zmes runs; on shutdown (after the dispatcher) says `offline` and disconnects.
struct MQTTService: Service {
    let sender: MQTTSender

    func run() async throws {
        sender.start()
        try? await gracefulShutdown()
        await sender.stop()
    }
}
