import Foundation
import Logging
import Model

/// The stage every alarm passes before the router (from ZoneMinder, the admin API and `zmes alarm` alike):
/// runs the event's detection hook, waits for it at most `hooks.wait`, and routes the alarm with the hook's
/// detection on the channels its outcome chooses (docs/HOOKS.md). Without hooks it is the router itself.
public struct HookedRouting: Sendable {
    let router: AlarmRouter
    let settings: Configuration.Hooks
    let runner: HookRunner
    let starts = StartOutcomes()
    /// For `{path}` and `update_notes`; nil without ZoneMinder.
    let zoneMinder: HookZoneMinder?
    let logger: Logger

    init(router: AlarmRouter, settings: Configuration.Hooks, zoneMinder: HookZoneMinder?, logger: Logger) {
        self.router = router
        self.settings = settings
        self.runner = HookRunner(settings: settings, telemetry: router.telemetry, logger: logger)
        self.zoneMinder = zoneMinder
        self.logger = logger
    }

    /// Whether any hook runs: the ZoneMinder source then routes each monitor's alarms apart, so one
    /// monitor's hook never holds up another's alarms.
    var hooksEnabled: Bool { settings.enabled }

    /// `channels` bound where the alarm may go at all (an end only Home Assistant's MQTT sensor needs); the
    /// hook's outcome chooses among them.
    public func route(_ alarm: Alarm, channels: Set<DeliveryChannel> = Set(DeliveryChannel.allCases)) async throws -> RoutingReport {
        guard settings.enabled, !settings.skipMonitors.contains(alarm.monitorId) else { return try await router.route(alarm, channels: channels) }
        let deadline = ContinuousClock.now + .milliseconds(Int64(settings.wait * 1_000))
        let event = StartOutcomes.Event(monitorId: alarm.monitorId, eventId: alarm.eventId)
        switch alarm.kind {
        case .start:
            guard !settings.eventStart.isEmpty else { return try await router.route(alarm, channels: channels) }
            let hook = launch(settings.eventStart, for: alarm, deadline: deadline)
            await starts.remember(hook, for: event)
            return try await routeAfter(
                hook, alarm, deadline: deadline, onSuccess: settings.startNotifyOnSuccess.intersection(channels),
                onFail: settings.startNotifyOnFail.intersection(channels), otherwise: channels)
        case .end:
            if settings.endNotifyIfStartSuccess, let start = await starts.take(event) {
                // A start still undecided at the deadline went out without its detection; its end goes out too.
                if case .failed(let reason)? = await start.value(until: deadline) {
                    return suppressed(alarm, because: "the start's hook failed (\(reason))")
                }
            }
            guard !settings.eventEnd.isEmpty else { return try await router.route(alarm, channels: channels) }
            let hook = launch(settings.eventEnd, for: alarm, deadline: deadline)
            return try await routeAfter(
                hook, alarm, deadline: deadline, onSuccess: settings.endNotifyOnSuccess.intersection(channels),
                onFail: settings.endNotifyOnFail.intersection(channels), otherwise: channels)
        }
    }

    /// Starts the hook, which runs to its end or its timeout whoever waits for it; `{path}` is asked of
    /// ZoneMinder only when the hook uses it, and given up (empty) at the deadline.
    private func launch(_ argv: [String], for alarm: Alarm, deadline: ContinuousClock.Instant) -> PendingValue<HookOutcome> {
        let pathSource = argv.contains { $0.contains("{path}") } ? zoneMinder : nil
        let runner = runner
        let updateNotes = settings.updateNotes ? zoneMinder : nil
        return PendingValue.start {
            var path = ""
            if let pathSource {
                path = await PendingValue.start { await pathSource.eventDirectory(eventId: alarm.eventId) }.value(until: deadline) ?? ""
            }
            let outcome = await runner.run(argv, for: alarm, path: path)
            if let updateNotes, let detection = outcome.detection {
                await updateNotes.updateNotes(eventId: alarm.eventId, notes: detection.text)
            }
            return outcome
        }
    }

    private func routeAfter(
        _ hook: PendingValue<HookOutcome>, _ alarm: Alarm, deadline: ContinuousClock.Instant,
        onSuccess: Set<DeliveryChannel>, onFail: Set<DeliveryChannel>, otherwise: Set<DeliveryChannel>
    ) async throws -> RoutingReport {
        var alarm = alarm
        switch await hook.value(until: deadline) {
        case nil:
            logger.warning(
                "hook still running after hooks.wait: the alarm goes out without the detection",
                metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)", "wait": "\(settings.wait)"])
            return try await router.route(alarm, channels: otherwise)
        case .detected(let detection)?:
            alarm.detection = detection
            if settings.useDescription { alarm.cause = alarm.cause.isEmpty ? detection.text : detection.text + " " + alarm.cause }
            guard !onSuccess.isEmpty else { return suppressed(alarm, because: "hook succeeded; no channel is set for success") }
            return try await router.route(alarm, channels: onSuccess)
        case .failed(let reason)?:
            guard !onFail.isEmpty else { return suppressed(alarm, because: "hook failed (\(reason))") }
            return try await router.route(alarm, channels: onFail)
        }
    }

    /// Nothing sent: reported as the admin API's `muted` reason.
    private func suppressed(_ alarm: Alarm, because reason: String) -> RoutingReport {
        logger.info(
            "alarm not sent: \(reason)", metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)"])
        return RoutingReport(devicesNotified: 0, pushesQueued: 0, websocketDeliveries: 0, muted: reason)
    }
}
