import Testing
import ZoneMinder

@Suite("SharedDataLayout")
struct SharedDataLayoutTests {
    @Test("1.36 is recognised by size 760, with the offsets measured on a running zmc")
    func zoneMinder136() throws {
        let layout = try #require(SharedDataLayout.layout(forSize: 760))
        #expect(layout == .zoneMinder136)
        #expect(layout.stateOffset == 12)
        #expect(layout.lastEventIdOffset == 32)
        #expect(layout.validOffset == 68)
        #expect(layout.alarmCauseOffset == 376)
        #expect(layout.alarmCauseLength == 256)
        #expect(layout.triggerDataOffset == 760)
        #expect(layout.triggerStateOffset == 764)
        #expect(layout.triggerCauseOffset == 776)
        #expect(layout.headerLength == 808)
        #expect(layout.state(fromRaw: 0) == .unknown)
        #expect(layout.state(fromRaw: 1) == .idle)
        #expect(layout.state(fromRaw: 2) == .prealarm)
        #expect(layout.state(fromRaw: 3) == .alarm)
        #expect(layout.state(fromRaw: 4) == .alert)
        #expect(layout.state(fromRaw: 5) == .tape)
        #expect(layout.state(fromRaw: 6) == .unrecognised(6))
    }

    @Test("1.38 is recognised by size 872, with offsets computed from the struct")
    func zoneMinder138() throws {
        let layout = try #require(SharedDataLayout.layout(forSize: 872))
        #expect(layout == .zoneMinder138)
        #expect(layout.stateOffset == 16)
        #expect(layout.lastEventIdOffset == 56)
        #expect(layout.validOffset == 92)
        #expect(layout.alarmCauseOffset == 424)
        #expect(layout.triggerDataOffset == 872)
        #expect(layout.triggerStateOffset == 876)
        #expect(layout.triggerCauseOffset == 888)
        #expect(layout.headerLength == 920)
        #expect(layout.state(fromRaw: 0) == .unknown)
        #expect(layout.state(fromRaw: 1) == .idle)
        #expect(layout.state(fromRaw: 3) == .alarm)
        #expect(layout.state(fromRaw: 4) == .alert)
        #expect(layout.state(fromRaw: 5) == .unrecognised(5))
    }

    @Test("any other size is refused, not guessed", arguments: [0, 123, 759, 761, 764, 768, 864, 871, 873, UInt32.max])
    func unknownSizes(size: UInt32) {
        #expect(SharedDataLayout.layout(forSize: size) == nil)
    }

    @Test("alarm and quiet states")
    func stateClasses() {
        #expect(MonitorState.alarm.isAlarmed && MonitorState.alert.isAlarmed)
        #expect(!MonitorState.prealarm.isAlarmed && !MonitorState.idle.isAlarmed)
        #expect(MonitorState.idle.isQuiet && MonitorState.tape.isQuiet)
        #expect(!MonitorState.prealarm.isQuiet && !MonitorState.unknown.isQuiet && !MonitorState.unrecognised(9).isQuiet)
    }
}
