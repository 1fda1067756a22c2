import Foundation
import Model
import Testing
import ZoneMinder

/// The watcher on monitors that record all the time (Record, Mocord), with ZoneMinder 1.36's
/// sequences: sections rest in Tape with a " Continuous " cause; an alarm turns Tape into Alarm
/// inside the open section and writes its own cause.
@Suite("MonitorWatcher on Record and Mocord monitors")
struct ContinuousRecordingWatcherTests {
    private let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    private let section = " Continuous "

    private func watcher(lastNotified: UInt64? = 5) -> MonitorWatcher {
        MonitorWatcher(monitorId: 3, monitorName: "Yard", lastNotifiedEventId: lastNotified)
    }

    private func snap(_ state: MonitorState, _ id: UInt64, _ cause: String) -> MonitorSnapshot {
        MonitorSnapshot(state: state, lastEventId: id, cause: cause)
    }

    /// Feeds the snapshots one second apart from `start` seconds, returning "id kind" per alarm.
    private func feed(_ w: inout MonitorWatcher, from start: Double = 0, _ snapshots: [MonitorSnapshot]) -> [String] {
        snapshots.enumerated().flatMap { i, s in w.observe(s, at: t0.addingTimeInterval(start + Double(i))) }
            .map { "\($0.eventId) \($0.kind.rawValue)" }
    }

    @Test("sections opening and closing with no alarm notify nothing")
    func sectionsAreNoAlarm() {
        var w = watcher()
        #expect(feed(&w, [snap(.tape, 10, section), snap(.tape, 10, section), snap(.tape, 11, section), snap(.tape, 12, section)]).isEmpty)
        #expect(w.recordsContinuously)
        // Record: the state may stay Idle before the first section; still nothing.
        var record = watcher()
        #expect(feed(&record, [snap(.idle, 5, ""), snap(.tape, 6, section), snap(.tape, 7, section)]).isEmpty)
    }

    @Test("an alarm inside a section is one start and one end, naming the section's event")
    func alarmInsideSection() {
        var w = watcher()
        let alarms = [snap(.tape, 10, section), snap(.alarm, 10, "Forced Web"), snap(.alarm, 10, "Forced Web"),
                      snap(.alert, 10, "Forced Web"), snap(.tape, 10, "Forced Web"), snap(.tape, 10, "Forced Web"),
                      snap(.tape, 11, section)]
        #expect(feed(&w, alarms) == ["10 start", "10 end"])
    }

    @Test("two alarms in one section are two notifications, with different occurrences")
    func twoAlarmsOneSection() {
        var w = watcher()
        var all: [Alarm] = []
        let first = [snap(.tape, 10, section), snap(.alarm, 10, "Forced Web"), snap(.tape, 10, "Forced Web")]
        let second = [snap(.tape, 10, "Forced Web"), snap(.alarm, 10, "Forced Web"), snap(.alert, 10, "Forced Web"), snap(.tape, 10, "Forced Web")]
        for (i, s) in first.enumerated() { all += w.observe(s, at: t0.addingTimeInterval(Double(i))) }
        for (i, s) in second.enumerated() { all += w.observe(s, at: t0.addingTimeInterval(60 + Double(i))) }
        #expect(all.map { "\($0.eventId) \($0.kind.rawValue)" } == ["10 start", "10 end", "10 start", "10 end"])
        #expect(all[0].occurrence == all[1].occurrence)
        #expect(all[2].occurrence == all[3].occurrence)
        #expect(all[0].occurrence != all[2].occurrence)
    }

    @Test("a section closing during an alarm does not end it; the end names the alarm's event")
    func sectionEndsDuringAlarm() {
        var w = watcher()
        let s = [snap(.tape, 10, section), snap(.alarm, 10, "Motion All"), snap(.alarm, 11, "Motion Continuous All"),
                 snap(.alert, 11, "Motion Continuous All"), snap(.tape, 11, "Motion Continuous All"), snap(.tape, 12, section)]
        #expect(feed(&w, s) == ["10 start", "10 end"])
    }

    @Test("EVENT_CLOSE_MODE alarm: the section closes and the alarm gets its own event")
    func closeModeAlarm() {
        var w = watcher()
        let s = [snap(.tape, 10, section), snap(.alarm, 11, "Motion All"), snap(.alert, 11, "Motion All"),
                 snap(.idle, 11, "Motion All"), snap(.tape, 12, section)]
        #expect(feed(&w, s) == ["11 start", "11 end"])
    }

    @Test("an alarm shorter than a poll is caught from its cause, confirmed by a second snapshot")
    func shortAlarmFromCause() {
        var w = watcher()
        #expect(feed(&w, [snap(.tape, 10, section), snap(.tape, 10, "Motion All")]).isEmpty)
        #expect(feed(&w, from: 2, [snap(.tape, 10, "Motion All")]) == ["10 start", "10 end"])
        #expect(feed(&w, from: 3, [snap(.tape, 10, "Motion All"), snap(.tape, 11, section)]).isEmpty)
        // Closed by the next section before a second look: still a whole alarm.
        #expect(feed(&w, from: 5, [snap(.tape, 11, "Forced Web"), snap(.tape, 12, section)]) == ["11 start", "11 end"])
    }

    @Test("the cause written a moment before the state does not make a second start")
    func causeBeforeState() {
        var w = watcher()
        let s = [snap(.tape, 10, section), snap(.tape, 10, "Motion All"), snap(.prealarm, 10, "Motion All"),
                 snap(.alarm, 10, "Motion All"), snap(.tape, 10, "Motion All")]
        #expect(feed(&w, s) == ["10 start", "10 end"])
    }

    @Test("restart: a section opened while zmes was down is no alarm; an alarm in a new event is")
    func restart() {
        var w = watcher(lastNotified: 10)
        #expect(feed(&w, [snap(.tape, 14, section), snap(.tape, 14, section)]).isEmpty)
        var alarmed = watcher(lastNotified: 10)
        #expect(feed(&alarmed, [snap(.alarm, 14, "Motion All"), snap(.tape, 14, "Motion All")]) == ["14 start", "14 end"])
        var same = watcher(lastNotified: 14)
        #expect(feed(&same, [snap(.alarm, 14, "Motion All"), snap(.tape, 14, "Motion All")]) == ["14 end"])
    }

    @Test("Monitor function (no analysis, no events): nothing")
    func monitorFunction() {
        var w = watcher(lastNotified: nil)
        #expect(feed(&w, Array(repeating: snap(.idle, 0, ""), count: 5)).isEmpty)
        #expect(w.lastNotifiedEventId == 0)
    }

    @Test("Modect keeps its rules: a newer event in Alarm ends the old one and starts the new")
    func modectBackToBack() {
        var w = watcher()
        #expect(feed(&w, [snap(.idle, 5, "Motion"), snap(.alarm, 20, "Motion"), snap(.alarm, 21, "Motion"), snap(.idle, 21, "Motion")])
            == ["20 start", "20 end", "21 start", "21 end"])
        #expect(!w.recordsContinuously)
    }
}
