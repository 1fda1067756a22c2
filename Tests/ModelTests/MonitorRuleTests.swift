import Foundation
import Model
import Testing

@Suite("Monitor rules (mute and critical)")
struct MonitorRuleTests {
    let garage = Alarm(monitorId: 3, monitorName: "Garage", eventId: 1, cause: "Motion: All")

    @Test("a window that wraps past midnight covers the late evening and the early morning, not the day")
    func wrappingWindow() throws {
        let night = try TimeWindow(from: "21:00", to: "07:00")
        #expect(night.contains(minuteOfDay: 21 * 60))
        #expect(night.contains(minuteOfDay: 23 * 60 + 59))
        #expect(night.contains(minuteOfDay: 0))
        #expect(night.contains(minuteOfDay: 6 * 60 + 59))
        #expect(!night.contains(minuteOfDay: 7 * 60))
        #expect(!night.contains(minuteOfDay: 12 * 60))
        let day = try TimeWindow(from: "09:00", to: "17:30")
        #expect(day.contains(minuteOfDay: 9 * 60))
        #expect(!day.contains(minuteOfDay: 17 * 60 + 30))
    }

    @Test("days, cause pattern and monitor all have to match; the first rule that applies decides")
    func firstMatchDecides() throws {
        let rules = [
            try MonitorRule(monitorId: 3, window: TimeWindow(from: "21:00", to: "07:00"), days: [.mon, .tue], causePattern: "^(?!.*person).*$", action: .mute),
            try MonitorRule(monitorId: 3, causePattern: "PERSON", action: .critical),
        ]
        let mondayNight = LocalTime(.mon, 23, 0)
        #expect(MonitorRule.action(for: garage, at: mondayNight, in: rules) == .mute)
        var person = garage
        person.cause = "detected:person:91%"
        #expect(MonitorRule.action(for: person, at: mondayNight, in: rules) == .critical)
        #expect(MonitorRule.action(for: garage, at: LocalTime(.wed, 23, 0), in: rules) == nil)
        #expect(MonitorRule.action(for: garage, at: LocalTime(.mon, 12, 0), in: rules) == nil)
        var otherMonitor = garage
        otherMonitor.monitorId = 4
        #expect(MonitorRule.action(for: otherMonitor, at: mondayNight, in: rules) == nil)
    }

    @Test("bad patterns, times and days are refused with a message naming them")
    func badValues() {
        #expect(throws: MonitorRuleError.badPattern("(unclosed")) { try MonitorRule(monitorId: 1, causePattern: "(unclosed", action: .mute) }
        #expect(throws: MonitorRuleError.badTime("25:00")) { try TimeWindow(from: "25:00", to: "07:00") }
        #expect(throws: MonitorRuleError.badTime("9pm")) { try TimeWindow(from: "21:00", to: "9pm") }
        #expect(throws: MonitorRuleError.badDay("funday")) { try Weekday(name: "funday") }
        #expect(throws: MonitorRuleError.badDay("mo")) { try Weekday(name: "mo") }
        #expect((try? Weekday(name: "Monday")) == .mon)
        #expect("\(MonitorRuleError.badTime("25:00"))".contains("HH:MM"))
    }

    @Test("the local time is read in the calendar's time zone")
    func localTime() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "America/New_York"))
        // 2026-12-07 03:30 UTC is Sunday 22:30 in New York.
        let date = Date(timeIntervalSince1970: 1_796_614_200)
        #expect(LocalTime(date, calendar: calendar) == LocalTime(.sun, 22, 30))
    }
}
