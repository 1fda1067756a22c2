import Logging
import MQTTClient
import Model
import Synchronization

/// One configured broker: its connection, and the Home Assistant discovery it has announced.
///
/// Discovery covers every monitor zmes knows: those of `zoneminder.monitors` from the start, and
/// each monitor an alarm names, before that alarm's messages. It is sent again on every connect
/// and whenever Home Assistant says `online` on `homeassistant/status`.
final class MQTTBrokerClient: Sendable {
    let broker: MQTTBroker
    let topics: MQTTTopics
    private let connection: MQTTConnection
    private let logger: Logger
    /// Monitor names by id; those announced on the current connection; those being announced now.
    private let monitors: Mutex<(known: [Int: String], announced: [Int: String], announcing: Set<Int>)>

    init(broker: MQTTBroker, monitors: [Int: String], logger: Logger) throws(MQTTError) {
        self.broker = broker
        self.topics = MQTTTopics(broker: broker)
        self.logger = logger
        self.monitors = Mutex((monitors, [:], []))
        let box = WeakBox()
        connection = try MQTTConnection(
            options: broker.connectionOptions,
            onConnect: { box.client?.connected() },
            onMessage: { topic, payload in box.client?.received(topic: topic, payload: payload) })
        box.client = self
    }

    func start() { connection.start() }

    /// Says `offline` (a clean stop sends no last will) and disconnects.
    func stop() async {
        try? await connection.publish(topic: topics.availability, payload: MQTTTopics.offline, retain: true, timeout: .seconds(2))
        await connection.stop()
    }

    /// `nil` while connected; otherwise why not.
    var failure: String? { connection.failure }

    /// Publishes an alarm: discovery for its monitor when not yet announced, the Perl server's message,
    /// and the motion state and alarm event. Returns when the broker acknowledged every one.
    func publish(_ alarm: Alarm) async throws(MQTTError) {
        if broker.discovery { try await announce(monitor: alarm.monitorId, name: alarm.monitorName) }
        try await connection.publish(topic: topics.compatible(monitor: alarm.monitorId), payload: MQTTPayloads.compatible(alarm), retain: broker.retain)
        guard broker.discovery else { return }
        try await connection.publish(
            topic: topics.motionState(monitor: alarm.monitorId), payload: alarm.kind == .start ? "ON" : "OFF", retain: true)
        if alarm.kind == .start {
            try await connection.publish(topic: topics.alarmEvent(monitor: alarm.monitorId), payload: MQTTPayloads.alarmEvent(alarm))
        }
    }

    /// Announces the monitor unless it is already. Only one caller announces a monitor at a time: an
    /// alarm's publish and the announcements after a connect may both find it unannounced, and the
    /// one that comes second waits for the first rather than announcing it twice or publishing the
    /// alarm's messages before its discovery.
    private func announce(monitor: Int, name: String) async throws(MQTTError) {
        enum Turn { case announced, announcing, mine }
        while true {
            let turn = monitors.withLock { monitors -> Turn in
                monitors.known[monitor] = name
                if monitors.announced[monitor] == name { return .announced }
                if monitors.announcing.contains(monitor) { return .announcing }
                monitors.announcing.insert(monitor)
                return .mine
            }
            switch turn {
            case .announced:
                return
            case .announcing:
                if Task.isCancelled { return }  // the first caller announces it still
                try? await Task.sleep(for: .milliseconds(10))
            case .mine:
                do {
                    try await connection.publish(
                        topic: topics.motionConfig(monitor: monitor), payload: MQTTPayloads.motionConfig(monitor: monitor, name: name, topics: topics),
                        retain: true)
                    try await connection.publish(
                        topic: topics.eventConfig(monitor: monitor), payload: MQTTPayloads.eventConfig(monitor: monitor, name: name, topics: topics),
                        retain: true)
                } catch {
                    monitors.withLock { _ = $0.announcing.remove(monitor) }
                    throw error
                }
                monitors.withLock { monitors in
                    monitors.announcing.remove(monitor)
                    monitors.announced[monitor] = name
                }
                return
            }
        }
    }

    /// On the network thread, after each connect: `online`, then discovery for every known monitor.
    private func connected() {
        logger.info("MQTT broker connected", metadata: ["broker": "\(broker.name)", "url": "\(broker.url)"])
        monitors.withLock { $0.announced = [:] }
        Task { await self.announceAll() }
    }

    private func received(topic: String, payload: String) {
        guard topic == topics.homeAssistantStatus, payload == MQTTTopics.online else { return }
        logger.info("Home Assistant is online: sending MQTT discovery again", metadata: ["broker": "\(broker.name)"])
        monitors.withLock { $0.announced = [:] }
        Task { await self.announceAll() }
    }

    private func announceAll() async {
        do {
            try await connection.publish(topic: topics.availability, payload: MQTTTopics.online, retain: true)
            guard broker.discovery else { return }
            for (monitor, name) in monitors.withLock({ $0.known }).sorted(by: { $0.key < $1.key }) {
                try await announce(monitor: monitor, name: name)
            }
        } catch {
            logger.warning("cannot announce zmes on the MQTT broker yet", metadata: ["broker": "\(broker.name)", "error": "\(error)"])
        }
    }
}

/// Lets the connection's callbacks reach the client that owns the connection without keeping it alive;
/// set once, before the connection starts its thread.
private final class WeakBox: @unchecked Sendable {
    weak var client: MQTTBrokerClient?
}
