import Foundation
import Logging
import Model
import PushDispatcher
import Storage

/// What one alarm led to, for the admin API's answer and the logs.
public struct RoutingReport: Sendable, Equatable, Codable {
    public var devicesNotified: Int
    public var pushesQueued: Int
    public var websocketDeliveries: Int
    /// Why nothing was sent: `monitor muted until <time>`, `rule`, or a detection hook's outcome
    /// (`hook failed (...)`, docs/HOOKS.md); absent when the alarm went out.
    public var muted: String?
}

/// Decides who gets an alarm (docs/PROTOCOL.md, "Who gets what" under the choices) and hands it on:
/// push jobs into the outbox, websocket messages to the live sessions.
public struct AlarmRouter: Sendable {
    let store: any Store
    let sessions: SessionRegistry
    let auth: any AuthBackend
    let pushEnabled: Bool
    /// Which provider each token goes to; follows credential reloads.
    let senders: SenderTable
    let logger: Logger
    /// Told when pushes were queued, so the dispatcher wakes at once.
    var onQueued: @Sendable () -> Void = {}
    var telemetry: Telemetry = .disabled
    /// The `rules:` of the configuration: mute or make critical by monitor, time, day and cause.
    var rules: [MonitorRule] = []
    /// The time zone rules are read in.
    var calendar: Calendar = .current
    /// Signs the picture link the websocket alarm carries; `nil` unless `pictures.enabled`.
    var pictures: PictureLinks?
    /// The `name`s of `mqtt:`: each gets one job per alarm routed to the `mqtt` channel.
    var mqttBrokers: [String] = []
    /// Whether ends must reach MQTT even without `zoneminder.send_event_end`: Home Assistant's
    /// motion sensor goes back to `OFF` with them (a broker with `discovery` on).
    var mqttNeedsEnds = false
    /// The other instances on a shared store, told of every alarm routed here; nil on a store of its own.
    var peers: PeerAlarms?

    /// Reads only the devices whose list names the alarm's monitor or is empty, and the
    /// permissions of their owners, so the cost grows with the matching devices and the
    /// open connections, not with every device registered.
    ///
    /// Before anyone is considered: a monitor muted by hand sends nothing, then the first rule that
    /// applies mutes the alarm or makes it critical (docs/OPERATIONS.md, "Mutes and rules").
    ///
    /// `channels` are the ways this alarm may go out (a detection hook's result chooses them,
    /// docs/HOOKS.md); a channel left out is not used for it.
    ///
    /// With other instances on the store (`peers`), the alarm is then published to them, and each
    /// delivers it to the websocket sessions it holds (`routeFromPeer`).
    public func route(_ alarm: Alarm, channels: Set<DeliveryChannel> = Set(DeliveryChannel.allCases)) async throws -> RoutingReport {
        let now = Date()
        var alarm = alarm
        if let mutedUntil = try await store.mutedUntil(monitor: alarm.monitorId, at: now) {
            return skipped(alarm, because: "monitor muted until \(mutedUntil.formatted(.iso8601))")
        }
        switch MonitorRule.action(for: alarm, at: LocalTime(alarm.time, calendar: calendar), in: rules) {
        case .mute: return skipped(alarm, because: "rule")
        case .critical: alarm.critical = true
        case nil: break
        }
        let report = try await route(alarm, channels: channels, fromPeerRoutedOn: nil, now: now)
        await peers?.publish(alarm, channels: channels)
        return report
    }

    /// An alarm another instance routed (`PeerAlarmService`): that instance decided mutes and rules, queued
    /// the pushes and MQTT jobs and served its own sessions; this one serves the sessions it holds. A
    /// device the origin pushed gets no websocket copy here (the supplementary frame is the origin's
    /// alone); a device served only over its socket is recorded in the store as everywhere, so it is
    /// notified once whichever instance holds it.
    ///
    /// The origin published the alarm after its pushes were in the shared outbox, so this instance's
    /// dispatcher is woken to help send them now rather than at its next idle poll.
    func routeFromPeer(_ alarm: Alarm, channels: Set<DeliveryChannel>) async throws -> RoutingReport {
        if !channels.isDisjoint(with: [.push, .mqtt]) { onQueued() }
        guard channels.contains(.websocket) else { return RoutingReport(devicesNotified: 0, pushesQueued: 0, websocketDeliveries: 0) }
        return try await route(alarm, channels: [.websocket], fromPeerRoutedOn: channels, now: Date())
    }

    /// Who gets the alarm, once mutes and rules let it through. `originChannels` is set for an alarm from
    /// another instance: the channels it was routed on there.
    private func route(
        _ alarm: Alarm, channels: Set<DeliveryChannel>, fromPeerRoutedOn originChannels: Set<DeliveryChannel>?, now: Date
    ) async throws -> RoutingReport {
        let devices = try await store.devices(watching: alarm.monitorId)
        let permissions = try await auth.monitorPermissions(for: Set(devices.map(\.user)))
        let connected = await sessions.connectedTokens()
        let selection = senders.selection
        var candidates: [NotificationCandidate] = []
        for device in devices {
            guard permissions.monitors(for: device.user).contains(alarm.monitorId), device.filter.allows(monitor: alarm.monitorId) else { continue }
            if let originChannels, pushEnabled && device.state == .enabled && originChannels.contains(.push) { continue }
            let pushes = pushEnabled && device.state == .enabled && channels.contains(.push)
            // A device served over its socket counts only while a socket of its owner holds it.
            guard pushes || channels.contains(.websocket) && connected[device.token].map({ !permissions.checksOwners || $0.contains(device.user) }) == true else {
                continue
            }
            candidates.append(
                NotificationCandidate(
                    token: device.token,
                    interval: device.filter.interval(for: alarm.monitorId),
                    provider: pushes ? selection.provider(forToken: device.token) : nil))
        }
        let brokers = channels.contains(.mqtt) && originChannels == nil ? mqttBrokers : []
        let notified = try await recordNotifications(for: alarm, candidates: candidates, mqttBrokers: brokers, at: now)
        let pushed = Set(candidates.lazy.filter { $0.provider != nil && notified.contains($0.token) }.map(\.token))
        // Connected tokens of devices that do not watch this monitor are still devices, not
        // websocket-only clients: look those few up rather than reading every device.
        let watching = Dictionary(devices.map { ($0.token, $0.user) }, uniquingKeysWith: { first, _ in first })
        let others = Set(connected.keys).subtracting(watching.keys)
        let owners = watching.merging(try await store.deviceOwners(among: others)) { first, _ in first }
        let sent =
            channels.contains(.websocket)
            ? await sessions.deliver(
                alarm, picture: pictures?.url(for: alarm, now: now), owners: owners, checksOwners: permissions.checksOwners,
                notified: notified, pushed: pushed, now: now)
            : 0
        let report = RoutingReport(devicesNotified: notified.count, pushesQueued: pushed.count, websocketDeliveries: sent, muted: nil)
        if originChannels != nil {
            telemetry.count("zmes_deliveries_total", [("channel", "websocket")], by: sent)
            logger.info(
                "alarm from another instance delivered",
                metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)", "websocket": "\(sent)"])
            return report
        }
        telemetry.count("zmes_alarms_total", [("source", alarm.source), ("kind", alarm.kind.rawValue)])
        telemetry.count("zmes_deliveries_total", [("channel", "push")], by: pushed.count)
        telemetry.count("zmes_deliveries_total", [("channel", "websocket")], by: sent)
        if !brokers.isEmpty { telemetry.count("zmes_deliveries_total", [("channel", "mqtt")], by: brokers.count) }
        logger.info(
            "alarm routed",
            metadata: [
                "monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)",
                "source": "\(alarm.source)", "devices": "\(report.devicesNotified)", "pushes": "\(report.pushesQueued)",
                "websocket": "\(report.websocketDeliveries)", "mqtt": "\(brokers.count)",
            ])
        return report
    }

    /// Devices recorded per transaction. An alarm for more devices is written in parts, and the
    /// dispatcher is woken after each, so the first pushes go out while the rest are written.
    static let notificationsPerTransaction = 1_000

    /// Records the alarm's notifications and queues its pushes, in parts of
    /// ``notificationsPerTransaction`` devices; the MQTT jobs go with the last part.
    ///
    /// Each part is whole (a device's last-notified time and its push land together), but the
    /// alarm is not: when a part fails, the parts before it stay queued. Sending the same alarm
    /// again reaches the rest, and is safe: a device already notified of the event is not notified twice.
    private func recordNotifications(
        for alarm: Alarm, candidates: [NotificationCandidate], mqttBrokers brokers: [String], at now: Date
    ) async throws -> Set<String> {
        var notified = Set<String>()
        var start = 0
        repeat {
            let end = min(candidates.count, start + Self.notificationsPerTransaction)
            let part = candidates[start..<end]
            let last = end == candidates.count
            notified.formUnion(
                try await store.recordNotifications(for: alarm, candidates: Array(part), mqttBrokers: last ? brokers : [], at: now))
            if part.contains(where: { $0.provider != nil && notified.contains($0.token) }) || (last && !brokers.isEmpty) { onQueued() }
            start = end
        } while start < candidates.count
        return notified
    }

    private func skipped(_ alarm: Alarm, because reason: String) -> RoutingReport {
        telemetry.count("zmes_alarms_total", [("source", alarm.source), ("kind", alarm.kind.rawValue)])
        telemetry.count("zmes_alarms_muted_total", [])
        logger.info(
            "alarm muted: nothing sent",
            metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)", "why": "\(reason)"])
        return RoutingReport(devicesNotified: 0, pushesQueued: 0, websocketDeliveries: 0, muted: reason)
    }
}

extension AlarmRouter {
    /// A router with no websocket listener behind it, for tools in this package that
    /// measure routing on its own (`Benchmarks/RoutingScale`): the same decisions and
    /// the same outbox writes as in `zmes serve`, without the sessions.
    package static func withoutSessions(
        store: any Store, auth: any AuthBackend, pushEnabled: Bool, selection: ProviderSelection, logger: Logger
    ) -> AlarmRouter {
        AlarmRouter(
            store: store, sessions: SessionRegistry(), auth: auth, pushEnabled: pushEnabled,
            senders: SenderTable(senders: [:], selection: selection), logger: logger)
    }
}
