import Foundation
import Model

/// Turns successive ``MonitorSnapshot``s of one monitor into event start and end alarms.
/// Pure: no I/O, no clock unless an alarm is emitted without a time.
///
/// Rules:
/// - start: the state is `ALARM` or `ALERT` with a `last_event_id` above the last notified id
///   (ids are global and increasing in ZoneMinder; 0 is never an event).
/// - end: after a notified start, when the monitor is back to `IDLE` (or `TAPE`), when a newer
///   event id appears (end of the old one, then the new one), or when the monitor becomes
///   unreadable (``monitorUnavailable(at:)``: zmc stopped, which closes its event).
/// - an event shorter than one poll: a new `last_event_id` seen while the monitor is already at
///   rest is notified as a start and an end together. zmc stores `last_event_id` a moment before
///   it stores `state = ALARM`, so a new id at rest is only taken as a finished event once a second
///   snapshot agrees (or a newer id replaces it); this costs such events one poll of latency and
///   keeps a poll that falls between the two stores from closing a live event.
/// - restart: initialised with the last notified id (persisted by the caller from the emitted
///   start alarms), an event already notified is not notified again; if it is still in progress
///   its end is still emitted. An event in progress with a higher id is notified. With no
///   persisted id (nil), the first snapshot sets the baseline: an event in progress is notified,
///   an old event id at rest is not.
///
/// - ids going down: an id lower than the last notified one (ZoneMinder's database was reset,
///   its ids start again) starts a new sequence: it is reported in ``eventIdsWentDown`` and the
///   event is treated as new (at the first snapshot after a start, as a baseline: notified if in
///   progress, not if at rest).
///
/// Caveat: monitors that record continuously (Record/Mocord) open events at rest; each such
/// event is reported as a short event, and an alarm inside an already-notified event is not.
public struct MonitorWatcher: Sendable {
    public let monitorId: Int
    public var monitorName: String
    /// `Alarm.source` of the emitted alarms.
    public var source: String
    /// The highest event id notified so far (nil until the baseline is known). Persist it (or the
    /// `eventId` of the emitted start alarms) to initialise the next run.
    public private(set) var lastNotifiedEventId: UInt64?
    /// The event whose start was notified and whose end was not yet.
    public private(set) var openEventId: UInt64?
    private var openCause = ""
    /// A new id seen at rest, waiting for a second snapshot (see the type's notes).
    private var pendingEventId: UInt64?
    private var pendingCause = ""
    private var observedOnce = false
    /// Set by the `observe` call that saw the ids go down (from the last notified id to the new
    /// one), nil after any other call: the caller logs it.
    public private(set) var eventIdsWentDown: (from: UInt64, to: UInt64)?

    public init(monitorId: Int, monitorName: String, lastNotifiedEventId: UInt64?, source: String = "zoneminder") {
        self.monitorId = monitorId
        self.monitorName = monitorName
        self.lastNotifiedEventId = lastNotifiedEventId
        self.source = source
    }

    public init(monitorId: Int, directory: MonitorDirectory, lastNotifiedEventId: UInt64?, source: String = "zoneminder") {
        self.init(
            monitorId: monitorId,
            monitorName: directory.name(of: monitorId),
            lastNotifiedEventId: lastNotifiedEventId,
            source: source
        )
    }

    /// Feeds one snapshot; returns the alarms it implies, in order (usually none).
    public mutating func observe(_ snapshot: MonitorSnapshot, at time: Date? = nil) -> [Alarm] {
        var out: [Alarm] = []
        let id = snapshot.lastEventId
        let state = snapshot.state
        let firstObservation = !observedOnce
        observedOnce = true
        eventIdsWentDown = nil

        if id != 0, let last = lastNotifiedEventId, id < last, id != openEventId, id != pendingEventId {
            eventIdsWentDown = (from: last, to: id)
            if let open = openEventId {
                emitEnd(open, cause: openCause, at: time, into: &out)
            }
            if let pending = pendingEventId {
                pendingEventId = nil
                emitShortEvent(pending, cause: pendingCause, at: time, into: &out)
            }
            // A new sequence: at the first snapshot its id is a baseline, later a new event.
            lastNotifiedEventId = firstObservation ? nil : 0
        }

        guard let lastNotified = lastNotifiedEventId else {
            // No persisted id: this snapshot is the baseline.
            if id != 0, state.isAlarmed {
                emitStart(id, cause: snapshot.cause, at: time, into: &out)
            } else {
                lastNotifiedEventId = id
            }
            return out
        }

        if firstObservation, openEventId == nil, id != 0, id == lastNotified, state.isAlarmed {
            // Restarted while an already-notified event is in progress: no repeat, but its end will come.
            openEventId = id
            openCause = snapshot.cause
        }

        if let open = openEventId, (id != 0 && id != open) || state.isQuiet {
            emitEnd(open, cause: openCause, at: time, into: &out)
        }

        if let pending = pendingEventId {
            if id == pending {
                if state.isAlarmed {
                    pendingEventId = nil
                    emitStart(pending, cause: snapshot.cause, at: time, into: &out)
                } else if state.isQuiet {
                    pendingEventId = nil
                    emitShortEvent(pending, cause: snapshot.cause.isEmpty ? pendingCause : snapshot.cause, at: time, into: &out)
                }
                // PreAlarm/Unknown with the same id: keep waiting.
            } else {
                // Replaced by a newer id (or the file was recreated): it was a whole event.
                pendingEventId = nil
                emitShortEvent(pending, cause: pendingCause, at: time, into: &out)
            }
        }

        if id != 0, id > (lastNotifiedEventId ?? 0), id != openEventId, id != pendingEventId {
            if state.isAlarmed {
                emitStart(id, cause: snapshot.cause, at: time, into: &out)
            } else {
                pendingEventId = id
                pendingCause = snapshot.cause
            }
        }
        return out
    }

    /// The monitor's shared memory cannot be read any more (missing, invalid, ...): zmc stopped,
    /// which closes its event. Ends the open event and reports a pending short one.
    public mutating func monitorUnavailable(at time: Date? = nil) -> [Alarm] {
        var out: [Alarm] = []
        if let open = openEventId {
            emitEnd(open, cause: openCause, at: time, into: &out)
        }
        if let pending = pendingEventId {
            pendingEventId = nil
            emitShortEvent(pending, cause: pendingCause, at: time, into: &out)
        }
        return out
    }

    private mutating func emitStart(_ id: UInt64, cause: String, at time: Date?, into out: inout [Alarm]) {
        out.append(alarm(id, cause: cause, kind: .start, at: time))
        openEventId = id
        openCause = cause
        lastNotifiedEventId = max(lastNotifiedEventId ?? 0, id)
    }

    private mutating func emitEnd(_ id: UInt64, cause: String, at time: Date?, into out: inout [Alarm]) {
        out.append(alarm(id, cause: cause, kind: .end, at: time))
        openEventId = nil
        openCause = ""
    }

    private mutating func emitShortEvent(_ id: UInt64, cause: String, at time: Date?, into out: inout [Alarm]) {
        out.append(alarm(id, cause: cause, kind: .start, at: time))
        out.append(alarm(id, cause: cause, kind: .end, at: time))
        lastNotifiedEventId = max(lastNotifiedEventId ?? 0, id)
    }

    private func alarm(_ id: UInt64, cause: String, kind: AlarmKind, at time: Date?) -> Alarm {
        Alarm(
            monitorId: monitorId,
            monitorName: monitorName,
            eventId: Int(truncatingIfNeeded: id),
            cause: cause,
            kind: kind,
            time: time ?? Date(),
            source: source
        )
    }
}
