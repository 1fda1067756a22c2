import Foundation
import Logging
import Model
import ServiceLifecycle
import Storage

/// This instance's side of the alarm fan-out between instances on one store: publishes each alarm it
/// routes, so that the sessions other instances hold get it too (docs/POSTGRESQL.md, "Several instances").
struct PeerAlarms: Sendable {
    let instanceID: String
    let coordination: any InstanceCoordination
    let logger: Logger

    /// Publishes `alarm`; a failure is logged, not thrown: this instance's own deliveries are done.
    func publish(_ alarm: Alarm, channels: Set<DeliveryChannel>) async {
        do {
            let message = try PeerAlarm(origin: instanceID, alarm: alarm, channels: channels).message(limit: coordination.largestMessage)
            try await coordination.broadcast(message)
        } catch {
            logger.error(
                "cannot tell the other instances of an alarm; their websocket sessions miss it",
                metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "error": "\(error)"])
        }
    }
}

/// Receives the alarms the other instances route and delivers them to this instance's websocket
/// sessions (`AlarmRouter.routeFromPeer`). When the listening connection fails it listens again; an
/// alarm published meanwhile is missed by this instance's sessions (pushes are not affected).
struct PeerAlarmService: Service {
    let instanceID: String
    let coordination: any InstanceCoordination
    let router: AlarmRouter
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await coordination.receive { message in await deliver(message) }
                } catch {
                    guard !Task.isCancelled else { return }
                    logger.warning("lost the alarm channel to the other instances; listening again in 1 s", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func deliver(_ message: String) async {
        let peer: PeerAlarm
        do {
            peer = try PeerAlarm(message: message)
        } catch {
            logger.warning("an unreadable message on the alarm channel; ignored", metadata: ["error": "\(error)"])
            return
        }
        guard peer.origin != instanceID else { return }
        do {
            _ = try await router.routeFromPeer(peer.alarm, channels: peer.channels)
        } catch {
            logger.error(
                "cannot deliver another instance's alarm to this instance's sessions",
                metadata: ["monitor": "\(peer.alarm.monitorId)", "event": "\(peer.alarm.eventId)", "origin": "\(peer.origin)", "error": "\(error)"])
        }
    }
}
