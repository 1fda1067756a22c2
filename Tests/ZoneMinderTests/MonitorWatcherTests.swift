import Foundation
import Model
import Testing
import ZoneMinder

@Suite("MonitorWatcher")
struct MonitorWatcherTests {
    private let time = Date(timeIntervalSince1970: 1_700_000_000)

    private func watcher(lastNotified: UInt64? = 0) -> MonitorWatcher {
        MonitorWatcher(monitorId: 2, directory: MonitorDirectory(names: [2: "Garage"]), lastNotifiedEventId: lastNotified)
    }

    private func snap(_ state: MonitorState, _ id: UInt64, _ cause: String = "Motion") -> MonitorSnapshot {
        MonitorSnapshot(state: state, lastEventId: id, cause: cause)
    }

    /// Feeds the snapshots in order, returning "id kind" for every alarm.
    private func feed(_ watcher: inout MonitorWatcher, _ snapshots: [MonitorSnapshot]) -> [String] {
        snapshots.flatMap { watcher.observe($0, at: time) }.map { "\($0.eventId) \($0.kind.rawValue)" }
    }

    @Test("start on Alarm, nothing while it lasts, end on Idle; the alarm is complete")
    func startAndEnd() {
        var w = watcher()
        #expect(feed(&w, [snap(.idle, 0)]).isEmpty)
        let start = w.observe(snap(.alarm, 17, "Forced Web"), at: time)
        let occurrence = Int(time.timeIntervalSince1970 * 1_000)
        #expect(start == [Alarm(monitorId: 2, monitorName: "Garage", eventId: 17, cause: "Forced Web", kind: .start, time: time, source: "zoneminder", occurrence: occurrence)])
        #expect(feed(&w, [snap(.alarm, 17), snap(.alert, 17), snap(.alarm, 17), snap(.alert, 17)]).isEmpty)
        let end = w.observe(snap(.idle, 17, "Forced Web"), at: time)
        #expect(end.map(\.kind) == [.end])
        #expect(end.first?.cause == "Forced Web")
        #expect(end.first?.displayedCause == "End: Forced Web")
        #expect(end.first?.occurrence == occurrence)
        #expect(w.lastNotifiedEventId == 17)
        #expect(w.openEventId == nil)
        #expect(feed(&w, [snap(.idle, 17), snap(.idle, 17)]).isEmpty)
    }

    @Test("Alert is enough to start; Tape ends")
    func alertAndTape() {
        var w = watcher()
        #expect(feed(&w, [snap(.alert, 5), snap(.tape, 5)]) == ["5 start", "5 end"])
    }

    @Test("a newer event id ends the old event, then starts the new one")
    func backToBack() {
        var w = watcher()
        #expect(feed(&w, [snap(.alarm, 20), snap(.alarm, 21), snap(.alert, 21), snap(.idle, 21)]) == ["20 start", "20 end", "21 start", "21 end"])
    }

    @Test("an event shorter than a poll is notified once a second snapshot at rest confirms it")
    func shortEvent() {
        var w = watcher(lastNotified: 30)
        #expect(feed(&w, [snap(.idle, 30)]).isEmpty)
        #expect(feed(&w, [snap(.idle, 31, "Forced Web")]).isEmpty)
        let alarms = w.observe(snap(.idle, 31, "Forced Web"), at: time)
        #expect(alarms.map(\.kind) == [.start, .end])
        #expect(alarms.allSatisfy { $0.eventId == 31 && $0.cause == "Forced Web" })
        #expect(w.lastNotifiedEventId == 31)
        #expect(feed(&w, [snap(.idle, 31)]).isEmpty)
    }

    @Test("a new id read just before zmc stores Alarm does not close the event early")
    func idBeforeState() {
        var w = watcher(lastNotified: 30)
        #expect(feed(&w, [snap(.idle, 31), snap(.alarm, 31), snap(.idle, 31)]) == ["31 start", "31 end"])
        #expect(feed(&w, [snap(.prealarm, 32), snap(.alarm, 32), snap(.idle, 32)]) == ["32 start", "32 end"])
    }

    @Test("a short event replaced by a newer one before confirmation is still notified")
    func shortEventReplaced() {
        var w = watcher(lastNotified: 30)
        #expect(feed(&w, [snap(.idle, 31), snap(.alarm, 32), snap(.idle, 32)]) == ["31 start", "31 end", "32 start", "32 end"])
        #expect(feed(&w, [snap(.idle, 33), snap(.idle, 34), snap(.idle, 34)]) == ["33 start", "33 end", "34 start", "34 end"])
    }

    @Test("event id 0 is never an event")
    func zeroIsNoEvent() {
        var w = watcher()
        #expect(feed(&w, [snap(.alarm, 0), snap(.alert, 0), snap(.idle, 0), snap(.idle, 0)]).isEmpty)
        #expect(w.lastNotifiedEventId == 0)
    }

    @Test("restart: an event already notified is not repeated, its end still comes")
    func restartNoRepeat() {
        var w = watcher(lastNotified: 40)
        #expect(feed(&w, [snap(.alarm, 40), snap(.alert, 40)]).isEmpty)
        #expect(feed(&w, [snap(.idle, 40)]) == ["40 end"])
        var idle = watcher(lastNotified: 40)
        #expect(feed(&idle, [snap(.idle, 40), snap(.idle, 40)]).isEmpty)
    }

    @Test("restart: an event in progress that was not notified yet is notified")
    func restartInProgress() {
        var w = watcher(lastNotified: 40)
        #expect(feed(&w, [snap(.alarm, 41), snap(.idle, 41)]) == ["41 start", "41 end"])
        var missed = watcher(lastNotified: 40)
        #expect(feed(&missed, [snap(.idle, 42), snap(.idle, 42)]) == ["42 start", "42 end"])
    }

    @Test("no persisted id: an old event at rest is the baseline, an event in progress is notified")
    func baseline() {
        var w = watcher(lastNotified: nil)
        #expect(feed(&w, [snap(.idle, 50), snap(.idle, 50)]).isEmpty)
        #expect(w.lastNotifiedEventId == 50)
        #expect(feed(&w, [snap(.alarm, 51)]) == ["51 start"])
        var busy = watcher(lastNotified: nil)
        #expect(feed(&busy, [snap(.alarm, 60), snap(.idle, 60)]) == ["60 start", "60 end"])
    }

    @Test("a monitor that becomes unreadable ends its open event and reports a pending one")
    func unavailable() {
        var w = watcher()
        #expect(feed(&w, [snap(.alarm, 70)]) == ["70 start"])
        #expect(w.monitorUnavailable(at: time).map { "\($0.eventId) \($0.kind.rawValue)" } == ["70 end"])
        #expect(w.monitorUnavailable(at: time).isEmpty)
        // zmc restarted: a new file whose last_event_id is 0, then a new event.
        #expect(feed(&w, [snap(.idle, 0), snap(.alarm, 71)]) == ["71 start"])
        #expect(feed(&w, [snap(.idle, 72)]) == ["71 end"])
        #expect(w.monitorUnavailable(at: time).map { "\($0.eventId) \($0.kind.rawValue)" } == ["72 start", "72 end"])
    }

    @Test("a lower id (ZoneMinder database reset) in progress is a new alarm")
    func lowerId() {
        var w = watcher(lastNotified: 100)
        #expect(feed(&w, [snap(.alarm, 3), snap(.idle, 3)]) == ["3 start", "3 end"])
        #expect(w.lastNotifiedEventId == 3)
    }

    @Test("names come from the directory, with its fallback")
    func names() {
        var named = MonitorWatcher(monitorId: 4, directory: MonitorDirectory(names: [4: "Porch"]), lastNotifiedEventId: 0)
        #expect(named.observe(snap(.alarm, 1)).first?.monitorName == "Porch")
        var unnamed = MonitorWatcher(monitorId: 5, directory: MonitorDirectory(), lastNotifiedEventId: 0)
        let alarm = unnamed.observe(snap(.alarm, 1)).first
        #expect(alarm?.monitorName == "Monitor 5")
        #expect(alarm?.source == "zoneminder")
        #expect(alarm?.monitorId == 5)
    }

    @Test("ids going down (ZoneMinder's database reset): the lower ids are new events, and the drop is reported once")
    func idsGoingDown() {
        var w = watcher(lastNotified: 500)
        #expect(feed(&w, [snap(.alarm, 501), snap(.idle, 501)]) == ["501 start", "501 end"])
        // zmc restarted on a fresh database: a new file with no event, then ids from 1 again.
        #expect(feed(&w, [snap(.idle, 0), snap(.idle, 0)]).isEmpty)
        #expect(w.eventIdsWentDown == nil)
        let alarms = w.observe(snap(.alarm, 3), at: time).map { "\($0.eventId) \($0.kind.rawValue)" }
        #expect(alarms == ["3 start"])
        #expect(w.eventIdsWentDown?.from == 501)
        #expect(w.eventIdsWentDown?.to == 3)
        #expect(feed(&w, [snap(.alarm, 3)]).isEmpty)
        #expect(w.eventIdsWentDown == nil)  // reported once, not at every poll
        #expect(feed(&w, [snap(.idle, 3), snap(.alarm, 4), snap(.idle, 4)]) == ["3 end", "4 start", "4 end"])
        #expect(w.lastNotifiedEventId == 4)
        // A short event at rest in the new sequence is still seen.
        #expect(feed(&w, [snap(.idle, 5), snap(.idle, 5)]) == ["5 start", "5 end"])
    }

    @Test("ids going down while an event is open end it first; found at the first snapshot after a restart, they are a baseline")
    func idsGoingDownOpenAndAtStart() {
        var open = watcher(lastNotified: 500)
        #expect(feed(&open, [snap(.alarm, 501), snap(.alarm, 2)]) == ["501 start", "501 end", "2 start"])
        #expect(open.eventIdsWentDown?.to == 2)

        // Restarted after the reset: an old event at rest is not announced, the next one is.
        var atRest = watcher(lastNotified: 500)
        #expect(feed(&atRest, [snap(.idle, 7)]).isEmpty)
        #expect(atRest.eventIdsWentDown?.from == 500)
        #expect(feed(&atRest, [snap(.idle, 7), snap(.alarm, 8)]) == ["8 start"])
        // Restarted after the reset during an event: it is in progress, so it is announced.
        var inProgress = watcher(lastNotified: 500)
        #expect(feed(&inProgress, [snap(.alarm, 7), snap(.idle, 7)]) == ["7 start", "7 end"])
    }
}
