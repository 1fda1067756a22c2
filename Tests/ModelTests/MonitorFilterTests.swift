import Model
import Testing

@Suite("MonitorFilter")
struct MonitorFilterTests {
    @Test("lists are positional; missing intervals count as 0")
    func positional() throws {
        let filter = try MonitorFilter(monlist: "1,2,4,5,6", intlist: "0,0,3600,60")
        #expect(filter.allows(monitor: 4))
        #expect(!filter.allows(monitor: 3))
        #expect(filter.interval(for: 4) == 3600)
        #expect(filter.interval(for: 5) == 60)
        #expect(filter.interval(for: 6) == 0)
        #expect(filter.monlist == "1,2,4,5,6")
        #expect(filter.intlist == "0,0,3600,60,0")
    }

    @Test("an empty monlist means every monitor")
    func emptyMeansAll() throws {
        let filter = try MonitorFilter(monlist: "", intlist: "")
        #expect(filter == .all)
        #expect(filter.allows(monitor: 12345))
        #expect(filter.monlist == "")
    }

    @Test("entries that are not numbers are refused, naming the list")
    func badEntries() {
        #expect(throws: MonitorFilterError.badMonitorList("x")) { try MonitorFilter(monlist: "1,x", intlist: "0,0") }
        #expect(throws: MonitorFilterError.badIntervalList("soon")) { try MonitorFilter(monlist: "1", intlist: "soon") }
        #expect(throws: MonitorFilterError.badMonitorList("-3")) { try MonitorFilter(monlist: "-3", intlist: "0") }
    }

    @Test("spaces around entries are tolerated")
    func spaces() throws {
        let filter = try MonitorFilter(monlist: " 1 , 2 ", intlist: "0, 30")
        #expect(filter.interval(for: 2) == 30)
    }
}

@Suite("Alarm and token helpers")
struct AlarmTests {
    @Test("end notifications are prefixed End: exactly once")
    func endPrefix() {
        #expect(Alarm(monitorId: 1, monitorName: "G", eventId: 1, cause: "Motion", kind: .end).displayedCause == "End: Motion")
        #expect(Alarm(monitorId: 1, monitorName: "G", eventId: 1, cause: "End: Motion", kind: .end).displayedCause == "End: Motion")
        #expect(Alarm(monitorId: 1, monitorName: "G", eventId: 1, cause: "Motion").displayedCause == "Motion")
    }

    @Test("tokens are shortened so they cannot be used")
    func redaction() {
        let token = String(repeating: "ab12", count: 16)
        let short = redactedToken(token)
        #expect(short.count < 16)
        #expect(!short.contains(String(token.prefix(12))))
    }

    @Test("monitor sets parse the --monitors syntax")
    func monitorSets() {
        #expect(MonitorSet(list: "1,2") == .only([1, 2]))
        #expect(MonitorSet(list: "") == .all)
        #expect(MonitorSet(list: "1,b") == nil)
        #expect(MonitorSet.only([2, 1]).list == "1,2")
    }
}
