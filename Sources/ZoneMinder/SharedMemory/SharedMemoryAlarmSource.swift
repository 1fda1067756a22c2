import Model

/// A change in whether a monitor's shared memory can be read, reported once per change.
public struct MonitorConditionChange: Sendable, Equatable, CustomStringConvertible {
    public var monitorId: Int
    /// The new problem, or nil when the monitor is readable again after one.
    public var problem: SharedMemoryError?

    public init(monitorId: Int, problem: SharedMemoryError?) {
        self.monitorId = monitorId
        self.problem = problem
    }

    public var description: String {
        if let problem { return "monitor \(monitorId): \(problem)" }
        return "monitor \(monitorId): shared memory readable again"
    }
}

/// A monitor's event ids went down: ZoneMinder's database was reset and its ids start again.
/// The new events are notified; the caller logs this, since events may have been lost or mixed.
public struct EventIdsWentDown: Sendable, Equatable, CustomStringConvertible {
    public var monitorId: Int
    /// The last event notified before.
    public var from: UInt64
    /// The lower id now in the monitor's shared memory.
    public var to: UInt64

    public var description: String {
        "monitor \(monitorId): event id \(to) is lower than the last notified \(from)"
    }
}

/// Alarms read from ZoneMinder's shared memory: polls each monitor's `zm.mmap.<id>` every
/// `pollInterval` with a ``MonitorSharedMemory`` and a ``MonitorWatcher``.
///
/// A monitor whose file is missing, invalid or of an unknown layout is reported through
/// `onCondition` when that condition starts, changes or clears (not on every poll) and keeps being
/// polled, so a file that disappears and comes back (zmc restarting) is picked up again.
/// Per poll and monitor the work is two `stat`s and a few loads from the mapping; the cause string
/// is decoded only when its bytes change.
public struct SharedMemoryAlarmSource: Sendable {
    public var monitorIds: [Int]
    public var shmDirectory: String
    public var pollInterval: Duration
    public var directory: MonitorDirectory
    /// The last notified event id per monitor, persisted by the caller (from the `eventId` of the
    /// start alarms); a monitor absent here takes its current `last_event_id` as the baseline.
    public var lastNotifiedEventIds: [Int: UInt64]

    public init(
        monitorIds: [Int],
        shmDirectory: String = "/dev/shm",
        pollInterval: Duration = .milliseconds(250),
        directory: MonitorDirectory = MonitorDirectory(),
        lastNotifiedEventIds: [Int: UInt64] = [:]
    ) {
        self.monitorIds = monitorIds
        self.shmDirectory = shmDirectory
        self.pollInterval = pollInterval
        self.directory = directory
        self.lastNotifiedEventIds = lastNotifiedEventIds
    }

    /// Polls until the calling task is cancelled, handing each alarm to `onAlarm` in order (the
    /// next poll waits for it) and each change of a monitor's condition to `onCondition`.
    public func run(
        onCondition: (MonitorConditionChange) -> Void = { _ in },
        onEventIdsWentDown: (EventIdsWentDown) -> Void = { _ in },
        onAlarm: (Alarm) async -> Void
    ) async {
        var monitors = Set(monitorIds).sorted().map { id in
            Monitor(
                memory: MonitorSharedMemory(monitorId: id, shmDirectory: shmDirectory),
                watcher: MonitorWatcher(
                    monitorId: id,
                    directory: directory,
                    lastNotifiedEventId: lastNotifiedEventIds[id]
                )
            )
        }
        let clock = ContinuousClock()
        var deadline = clock.now
        while !Task.isCancelled {
            for index in monitors.indices {
                let alarms = monitors[index].poll(onCondition: onCondition, onEventIdsWentDown: onEventIdsWentDown)
                for alarm in alarms {
                    await onAlarm(alarm)
                }
            }
            deadline = deadline.advanced(by: pollInterval)
            let now = clock.now
            if deadline < now {
                deadline = now  // fell behind: do not burst to catch up
            }
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                break
            }
        }
        for index in monitors.indices {
            monitors[index].memory.close()
        }
    }

    private struct Monitor {
        let memory: MonitorSharedMemory
        var watcher: MonitorWatcher
        var problem: SharedMemoryError?

        mutating func poll(onCondition: (MonitorConditionChange) -> Void, onEventIdsWentDown: (EventIdsWentDown) -> Void) -> [Alarm] {
            let alarms: [Alarm]
            let current: SharedMemoryError?
            do {
                let snapshot = try memory.read()
                alarms = watcher.observe(snapshot)
                if let down = watcher.eventIdsWentDown {
                    onEventIdsWentDown(EventIdsWentDown(monitorId: watcher.monitorId, from: down.from, to: down.to))
                }
                current = nil
            } catch {
                alarms = watcher.monitorUnavailable()
                current = error
            }
            if current != problem {
                problem = current
                onCondition(MonitorConditionChange(monitorId: watcher.monitorId, problem: current))
            }
            return alarms
        }
    }
}
