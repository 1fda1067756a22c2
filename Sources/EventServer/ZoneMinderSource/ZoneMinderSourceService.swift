import Foundation
import Logging
import Model
import ServiceLifecycle
import Storage
import ZoneMinder

/// Feeds ZoneMinder's alarms to the alarm router: polls each monitor's shared memory and
/// remembers the last event notified per monitor, so a restart neither repeats nor drops one.
struct ZoneMinderSourceService: Service {
    let configuration: Configuration.ZoneMinder
    /// zmes's own login, for the monitor list.
    let zoneMinder: ZoneMinderServiceLogin
    let store: any Store
    let routing: HookedRouting
    let logger: Logger

    /// How often the monitor list is read again from the API (when not given in the configuration).
    var refreshInterval: Duration = .seconds(300)
    /// Instances sharing a store read one ZoneMinder's shared memory one at a time: the one holding the
    /// lock reads, the others stand by and ask again every `takeoverInterval`.
    var coordination: any InstanceCoordination = SingleInstance()
    var takeoverInterval: Duration = .seconds(2)

    /// The lock of this ZoneMinder's reader: one per ZoneMinder host, named by its URL.
    var readerLock: String { "zoneminder shared memory: \(configuration.url)" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await coordination.whileHolding(readerLock, retry: takeoverInterval, logger: logger) { await readAlarms() }
        }
    }

    private func readAlarms() async {
        guard var monitors = await resolveMonitors() else { return }
        while !Task.isCancelled {
            let current = monitors
            // Watch the current list; when the API's list changes, start over with the new one.
            let changed: [ZoneMinderMonitor]? = await withTaskGroup(of: [ZoneMinderMonitor]?.self) { group in
                group.addTask { await watch(current); return nil }
                if configuration.monitors.isEmpty {
                    group.addTask { await nextChangedList(from: current) }
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let changed else { return }
            logger.info("zoneminder monitor list changed", metadata: ["monitors": "\(changed.map(\.id).sorted())"])
            monitors = changed
        }
    }

    private func watch(_ monitors: [ZoneMinderMonitor]) async {
        var stored: [Int: Int] = [:]
        do {
            stored = try await store.lastNotifiedEvents()
        } catch {
            logger.error("cannot read the last events notified; events in progress may be notified again", metadata: ["error": "\(error)"])
        }
        let lastNotified = stored.mapValues { UInt64(max(0, $0)) }
        // With hooks an alarm may wait up to hooks.wait: each monitor's alarms then go in order in a lane of
        // their own, and the polling goes on.
        let lanes = routing.hooksEnabled ? MonitorLanes() : nil
        let source = SharedMemoryAlarmSource(
            monitorIds: monitors.map(\.id).sorted(),
            shmDirectory: configuration.shmDir,
            pollInterval: .milliseconds(Int(configuration.pollInterval * 1_000)),
            directory: MonitorDirectory(names: Dictionary(monitors.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })),
            lastNotifiedEventIds: lastNotified)
        logger.info(
            "zoneminder shared memory: watching",
            metadata: ["monitors": "\(monitors.map(\.id).sorted())", "shm_dir": "\(configuration.shmDir)", "poll_interval": "\(configuration.pollInterval)"])
        await source.run(
            onCondition: { change in
                if let problem = change.problem {
                    logger.warning("zoneminder monitor unreadable", metadata: ["monitor": "\(change.monitorId)", "problem": "\(problem)"])
                } else {
                    logger.info("zoneminder monitor readable", metadata: ["monitor": "\(change.monitorId)"])
                }
            },
            onEventIdsWentDown: { down in
                logger.warning(
                    "zoneminder event ids went down (was its database reset?); taking the new events as new",
                    metadata: ["monitor": "\(down.monitorId)", "last_notified": "\(down.from)", "event": "\(down.to)"])
            },
            onAlarm: { alarm in
                if let lanes {
                    await lanes.submit(monitor: alarm.monitorId) { await handle(alarm) }
                } else {
                    await handle(alarm)
                }
            })
        await lanes?.finish()
    }

    /// Re-reads the API's monitor list every `refreshInterval`; returns it once it differs.
    private func nextChangedList(from current: [ZoneMinderMonitor]) async -> [ZoneMinderMonitor]? {
        while !Task.isCancelled {
            try? await Task.sleep(for: refreshInterval)
            guard !Task.isCancelled else { return nil }
            let fresh: [ZoneMinderMonitor]
            do {
                fresh = try await fetchMonitors()
            } catch {
                logger.warning("cannot refresh ZoneMinder's monitor list; watching the current one", metadata: ["error": "\(error)"])
                continue
            }
            if !fresh.isEmpty, fresh.sorted(by: { $0.id < $1.id }) != current.sorted(by: { $0.id < $1.id }) {
                return fresh
            }
        }
        return nil
    }

    /// Routes the alarm, then records a start as the monitor's last notified event: recorded
    /// first, a routing failure (store busy, full disk, crash in between) would lose the alarm.
    /// A failed routing is tried again (the next poll waits), so a store busy for a while delays
    /// the alarm rather than dropping it; a crash before the record notifies it again at the next
    /// start (at least once).
    private func handle(_ alarm: Alarm) async {
        // Without send_event_end an end still goes to MQTT when Home Assistant's motion sensor needs it.
        let everywhere = alarm.kind == .start || configuration.sendEventEnd
        guard everywhere || routing.router.mqttNeedsEnds else {
            return
        }
        var delay = Duration.milliseconds(250)
        var attempt = 1
        while true {
            do {
                _ = try await routing.route(alarm, channels: everywhere ? Set(DeliveryChannel.allCases) : [.mqtt])
                break
            } catch {
                guard !Task.isCancelled, attempt < Self.routingAttempts else {
                    logger.error(
                        "cannot route a zoneminder alarm; giving up",
                        metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "attempts": "\(attempt)", "error": "\(error)"])
                    return
                }
                logger.warning(
                    "cannot route a zoneminder alarm; trying again",
                    metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "retry_in": "\(delay)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
                attempt += 1
            }
        }
        guard alarm.kind == .start else { return }
        do {
            try await store.saveLastNotifiedEvent(monitor: alarm.monitorId, event: alarm.eventId)
        } catch {
            logger.error("cannot record the last zoneminder event", metadata: ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "error": "\(error)"])
        }
    }

    /// Tries per alarm: with the doubling pause (at most 5 s) about two minutes in all, over
    /// the store's own 10 s busy timeout per try.
    static let routingAttempts = 12

    /// The monitors to watch: the configuration's static list, else ZoneMinder's API (retried until it answers).
    private func resolveMonitors() async -> [ZoneMinderMonitor]? {
        if !configuration.monitors.isEmpty {
            return configuration.monitors.map { ZoneMinderMonitor(id: $0.id, name: $0.name) }
        }
        while !Task.isCancelled {
            do {
                let monitors = try await fetchMonitors()
                if !monitors.isEmpty { return monitors }
                logger.warning("zoneminder API lists no monitors; retrying in 30 s")
            } catch {
                logger.warning("cannot read monitors from the zoneminder API; retrying in 30 s (or set zoneminder.monitors)", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(30))
        }
        return nil
    }

    private func fetchMonitors() async throws(ZoneMinderAPIError) -> [ZoneMinderMonitor] {
        try await zoneMinder.withSession { session throws(ZoneMinderAPIError) in
            try await zoneMinder.api.monitors(session: session)
        }
    }
}
