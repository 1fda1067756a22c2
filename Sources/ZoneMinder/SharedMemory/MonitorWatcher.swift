import Foundation
import Model

/// Turns successive ``MonitorSnapshot``s of one monitor into alarm starts and ends.
/// Pure: no I/O, no clock unless an alarm is emitted without a time.
///
/// A notification means an alarm, on every monitor function. ZoneMinder 1.36's
/// `Monitor::Analyse` (zm_monitor.cpp) shows why events alone cannot say that: Modect opens an
/// event when an alarm begins and closes it when the monitor rests (Idle); Record and Mocord
/// keep an event open all the time, in sections of `SectionLength` seconds whose cause is
/// "Continuous", and rest in Tape. A Mocord alarm turns Tape into Alarm inside the open section
/// (with `EVENT_CLOSE_MODE` "alarm" it closes the section and opens an alarm event instead); a
/// section that reaches its length during an alarm is closed and the next one opened while the
/// monitor stays in Alarm. So:
///
/// - start: the monitor is in Alarm or Alert with no alarm open (it came from Idle, Tape,
///   PreAlarm or Unknown), with the id of the event that holds it, whatever event was open
///   before. Each alarm inside one continuous event is its own start, told apart by
///   `Alarm.occurrence` (its start time in milliseconds).
/// - end: the monitor rests again (Idle or Tape), or its shared memory becomes unreadable
///   (``monitorUnavailable(at:)``: zmc stopped). A section closing during an alarm does not end
///   it. On a monitor that opens events only for alarms (never seen in Tape or with a
///   "Continuous" cause), a newer event id while in Alarm ends the old alarm and starts the new
///   one: two events back to back between two polls.
/// - no alarm: a recorded section opening or closing (a new event id at rest whose cause is
///   "Continuous"), and anything on a monitor that never alarms (function Monitor; None has no
///   shared memory at all).
/// - an alarm shorter than one poll: seen at rest as a new event id (Modect; Mocord closing its
///   section for the alarm) or, on a monitor that records all the time, as `alarm_cause`
///   rewritten in the same event to a cause that is not "Continuous" (zmc writes the alarm's
///   cause when the alarm begins; 1.36 keeps no alarm counter in shared memory). zmc stores the
///   id and cause a moment before the state, so such a change is notified (start and end
///   together) only once a second snapshot at rest agrees, or a newer change replaces it.
///   Two alarms with the same cause inside one section, both shorter than a poll, look like one.
/// - restart: initialised with the last notified event id (persisted by the caller from the
///   emitted starts), an alarm in progress in that event is not notified again, and its end
///   is. At rest, a newer event id that is not a section is an alarm that was never notified.
///   With no persisted id (nil), the first snapshot is the baseline: an alarm in progress is
///   notified, anything at rest is not.
/// - ids going down: an id lower than the last notified one (ZoneMinder's database was reset
///   and its ids start again) is reported once in ``eventIdsWentDown`` and starts a new
///   sequence: its events are alarms like any other, except that one found at rest by the
///   first snapshot after a restart is the baseline (it cannot be told from an old event).
public struct MonitorWatcher: Sendable {
    public let monitorId: Int
    public var monitorName: String
    /// `Alarm.source` of the emitted alarms.
    public var source: String
    /// The event id of the last alarm notified (nil until the baseline is known). Persist it (or
    /// the `eventId` of the emitted start alarms) to initialise the next run.
    public private(set) var lastNotifiedEventId: UInt64?
    /// The event holding the alarm whose start was notified and whose end was not yet.
    public var openEventId: UInt64? { openAlarm?.eventId }
    /// Seen recording all the time (Record/Mocord): in Tape, or with a section's cause.
    public private(set) var recordsContinuously = false

    /// What the monitor shows at rest: its newest event and the cause zmc last wrote.
    private struct Mark: Equatable {
        var eventId: UInt64
        var cause: String
    }

    private struct OpenAlarm {
        var eventId: UInt64
        var cause: String
        var occurrence: Int
    }

    private var openAlarm: OpenAlarm?
    /// The mark already accounted for; a different one at rest may be an alarm.
    private var restMark: Mark?
    /// A change seen at rest, waiting for a second snapshot to agree (see the type's notes).
    private var pending: Mark?
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

    /// Whether `cause` is the one ZoneMinder gives a recorded section: "Continuous" in 1.38,
    /// `<cause> Continuous <zones>` in 1.36.
    public static func isSectionCause(_ cause: String) -> Bool {
        cause.contains("Continuous")
    }

    /// Feeds one snapshot; returns the alarms it implies, in order (usually none).
    public mutating func observe(_ snapshot: MonitorSnapshot, at time: Date? = nil) -> [Alarm] {
        var out: [Alarm] = []
        let mark = Mark(eventId: snapshot.lastEventId, cause: snapshot.cause)
        let state = snapshot.state
        let firstObservation = !observedOnce
        observedOnce = true
        if state == .tape || Self.isSectionCause(snapshot.cause) {
            recordsContinuously = true
        }

        eventIdsWentDown = nil
        let persisted = lastNotifiedEventId
        if mark.eventId != 0, let last = persisted, mark.eventId < last, mark.eventId != openAlarm?.eventId,
            mark.eventId != pending?.eventId, mark.eventId != restMark?.eventId
        {
            eventIdsWentDown = (from: last, to: mark.eventId)
            lastNotifiedEventId = mark.eventId
        }

        guard let lastNotified = persisted else {
            // No persisted id: this snapshot is the baseline.
            if mark.eventId != 0, state.isAlarmed {
                start(mark, at: time, into: &out)
            } else {
                lastNotifiedEventId = mark.eventId
            }
            restMark = mark
            return out
        }

        if firstObservation {
            if state.isAlarmed, mark.eventId != 0, mark.eventId == lastNotified {
                // Restarted during an alarm already notified: no repeat, but its end will come.
                openAlarm = OpenAlarm(eventId: mark.eventId, cause: mark.cause, occurrence: 0)
                restMark = mark
                return out
            }
            // At rest, a newer event than the last notified one is a change to confirm; after
            // ids went down, what is there is the baseline.
            let known = mark.eventId == lastNotified || eventIdsWentDown != nil
            restMark = known ? mark : Mark(eventId: lastNotified, cause: "")
        }

        if let open = openAlarm {
            let replaced = state.isAlarmed && mark.eventId != 0 && mark.eventId != open.eventId && !recordsContinuously
            guard state.isQuiet || replaced else { return out }  // the alarm goes on
            end(open, at: time, into: &out)
            pending = nil
            // At rest now: a newer event than the alarm's (a whole one between two polls) is a change.
            restMark = Mark(eventId: open.eventId, cause: mark.cause)
        }

        if state.isAlarmed {
            guard mark.eventId != 0 else { return out }
            if let waiting = pending, waiting.eventId != mark.eventId {
                shortAlarm(waiting, at: time, into: &out)  // replaced by this alarm's event: it was whole
            }
            pending = nil
            start(mark, at: time, into: &out)
            return out
        }

        // At rest (or PreAlarm/Unknown) with no alarm open.
        guard mark.eventId != 0 else { return out }
        let previous = restMark ?? mark
        let changed = mark.eventId != previous.eventId || (recordsContinuously && mark.cause != previous.cause)
        guard changed else {
            pending = nil
            return out
        }
        if Self.isSectionCause(mark.cause) {
            // A section opened: no alarm; a change waiting before it was a whole alarm.
            if let waiting = pending {
                shortAlarm(waiting, at: time, into: &out)
            }
            pending = nil
            restMark = mark
            return out
        }
        if let waiting = pending {
            if waiting == mark {
                if state.isQuiet {
                    pending = nil
                    shortAlarm(mark, at: time, into: &out)
                }
                // PreAlarm/Unknown with the same mark: keep waiting.
            } else {
                shortAlarm(waiting, at: time, into: &out)  // replaced by a newer change
                pending = mark
            }
            return out
        }
        pending = mark
        return out
    }

    /// The monitor's shared memory cannot be read any more (missing, invalid, ...): zmc stopped,
    /// which closes its event. Ends the open alarm and reports a pending short one.
    public mutating func monitorUnavailable(at time: Date? = nil) -> [Alarm] {
        var out: [Alarm] = []
        if let open = openAlarm {
            end(open, at: time, into: &out)
        }
        if let waiting = pending {
            pending = nil
            shortAlarm(waiting, at: time, into: &out)
        }
        return out
    }

    private mutating func start(_ mark: Mark, at time: Date?, into out: inout [Alarm]) {
        let time = time ?? Date()
        let open = OpenAlarm(eventId: mark.eventId, cause: mark.cause, occurrence: Self.occurrence(at: time))
        out.append(alarm(open, kind: .start, at: time))
        openAlarm = open
        lastNotifiedEventId = mark.eventId
        restMark = mark
    }

    private mutating func end(_ open: OpenAlarm, at time: Date?, into out: inout [Alarm]) {
        out.append(alarm(open, kind: .end, at: time ?? Date()))
        openAlarm = nil
    }

    private mutating func shortAlarm(_ mark: Mark, at time: Date?, into out: inout [Alarm]) {
        let time = time ?? Date()
        let whole = OpenAlarm(eventId: mark.eventId, cause: mark.cause, occurrence: Self.occurrence(at: time))
        out.append(alarm(whole, kind: .start, at: time))
        out.append(alarm(whole, kind: .end, at: time))
        lastNotifiedEventId = mark.eventId
        restMark = mark
    }

    private static func occurrence(at time: Date) -> Int {
        Int((time.timeIntervalSince1970 * 1_000).rounded())
    }

    private func alarm(_ open: OpenAlarm, kind: AlarmKind, at time: Date) -> Alarm {
        Alarm(
            monitorId: monitorId,
            monitorName: monitorName,
            eventId: Int(truncatingIfNeeded: open.eventId),
            cause: open.cause,
            kind: kind,
            time: time,
            source: source,
            occurrence: open.occurrence
        )
    }
}
