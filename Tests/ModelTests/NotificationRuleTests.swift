import Foundation
import Model
import Testing

@Suite("NotificationRule")
struct NotificationRuleTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func alarm(_ event: Int, _ kind: AlarmKind = .start, occurrence: Int = 0) -> Alarm {
        Alarm(monitorId: 1, monitorName: "Yard", eventId: event, cause: "Motion", kind: kind, occurrence: occurrence)
    }

    private func sends(_ alarm: Alarm, after previous: LastNotification?, interval: Int = 0) -> Bool {
        NotificationRule.decide(alarm, previous: previous, interval: interval, now: now) != .skip
    }

    @Test("a first start is sent and remembered")
    func firstStart() {
        #expect(NotificationRule.decide(alarm(7, occurrence: 3), previous: nil, interval: 60, now: now)
            == .send(record: LastNotification(eventId: 7, occurrence: 3, at: now)))
    }

    @Test("a repeated start of the same alarm is skipped; another alarm of the same event is not")
    func repeats() {
        let last = LastNotification(eventId: 7, occurrence: 3, at: now.addingTimeInterval(-100))
        #expect(!sends(alarm(7, occurrence: 3), after: last))
        #expect(sends(alarm(7, occurrence: 4), after: last))
        #expect(sends(alarm(8), after: last))
    }

    @Test("a start within the interval is skipped, after it is sent")
    func interval() {
        let last = LastNotification(eventId: 7, at: now.addingTimeInterval(-30))
        #expect(!sends(alarm(8), after: last, interval: 60))
        #expect(sends(alarm(8), after: last, interval: 30))
    }

    @Test("with interval 0 a new event is sent even when the last one was recorded a moment later (alarms routed at once)")
    func outOfOrderTimes() {
        let recordedLater = LastNotification(eventId: 7, at: now.addingTimeInterval(0.002))
        #expect(sends(alarm(8), after: recordedLater, interval: 0))
        #expect(!sends(alarm(8), after: recordedLater, interval: 60))
    }

    @Test("an end goes only to the recipient of its start")
    func ends() {
        let last = LastNotification(eventId: 7, occurrence: 3, at: now)
        #expect(NotificationRule.decide(alarm(7, .end, occurrence: 3), previous: last, interval: 0, now: now) == .send(record: nil))
        #expect(sends(alarm(7, .end), after: last))  // occurrence unknown (after a restart)
        #expect(!sends(alarm(7, .end, occurrence: 4), after: last))  // a later alarm of the event, not notified
        #expect(!sends(alarm(8, .end), after: last))
        #expect(!sends(alarm(7, .end), after: nil))
    }
}
