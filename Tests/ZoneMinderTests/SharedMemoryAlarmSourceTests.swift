import Foundation
import Model
import Testing
import ZmesTestSupport
import ZoneMinder

@Suite("SharedMemoryAlarmSource")
struct SharedMemoryAlarmSourceTests {
    private let poll = Duration.milliseconds(20)
    private let names = MonitorDirectory(names: [1: "Front Door", 2: "Garage"])

    private func source(_ dir: String, ids: [Int] = [1], lastNotified: [Int: UInt64] = [1: 0, 2: 0]) -> SharedMemoryAlarmSource {
        SharedMemoryAlarmSource(monitorIds: ids, shmDirectory: dir, pollInterval: poll, directory: names, lastNotifiedEventIds: lastNotified)
    }

    /// Lets the source poll `count` more times.
    private func polls(_ count: Int) async {
        try? await Task.sleep(for: poll * count)
    }

    @Test("a start, then an end when the monitor is back to Idle", arguments: [ZoneMinderVersion.v136, .v138])
    func startThenEnd(version: ZoneMinderVersion) async throws {
        try await withMonitorFile(HeaderFields(state: .idle, lastEventId: 0), version: version) { dir, file in
            try await withRunningSource(source(dir)) { recorder in
                await polls(2)
                file.update { $0.lastEventId = 11; $0.state = .alarm; $0.alarmCause = "Forced Web" }
                #expect(await waitUntil { recorder.alarms.count == 1 })
                let start = try #require(recorder.alarms.first)
                #expect(start.kind == .start)
                #expect(start.eventId == 11)
                #expect(start.monitorId == 1)
                #expect(start.monitorName == "Front Door")
                #expect(start.cause == "Forced Web")
                #expect(start.source == "zoneminder")

                file.update { $0.state = .alert }
                await polls(3)
                #expect(recorder.alarms.count == 1)
                file.update { $0.state = .idle }
                #expect(await waitUntil { recorder.alarms.count == 2 })
                #expect(recorder.alarms.last?.kind == .end)
                #expect(recorder.alarms.last?.eventId == 11)
                #expect(recorder.alarms.last?.cause == "Forced Web")
                await polls(3)
                #expect(recorder.summary == ["11 start", "11 end"])
                #expect(recorder.conditions.isEmpty)
            }
        }
    }

    @Test("two events back to back")
    func backToBack() async throws {
        try await withMonitorFile(HeaderFields(state: .idle, lastEventId: 19)) { dir, file in
            try await withRunningSource(source(dir, lastNotified: [1: 19])) { recorder in
                file.update { $0.lastEventId = 20; $0.state = .alarm }
                #expect(await waitUntil { recorder.alarms.count == 1 })
                file.update { $0.lastEventId = 21; $0.state = .alarm; $0.alarmCause = "Linked" }
                #expect(await waitUntil { recorder.alarms.count == 3 })
                file.update { $0.state = .idle }
                #expect(await waitUntil { recorder.alarms.count == 4 })
                #expect(recorder.summary == ["20 start", "20 end", "21 start", "21 end"])
                #expect(recorder.alarms[2].cause == "Linked")
            }
        }
    }

    @Test("an event shorter than one poll interval is still notified")
    func shortEvent() async throws {
        try await withMonitorFile(HeaderFields(state: .idle, lastEventId: 30, alarmCause: "Motion")) { dir, file in
            try await withRunningSource(source(dir, lastNotified: [1: 30])) { recorder in
                await polls(2)
                // Alarm and back to Idle between two polls: only last_event_id tells.
                file.update { $0.lastEventId = 31; $0.state = .idle; $0.alarmCause = "Forced Web" }
                #expect(await waitUntil { recorder.alarms.count == 2 })
                #expect(recorder.summary == ["31 start", "31 end"])
                #expect(recorder.alarms.allSatisfy { $0.cause == "Forced Web" })
                await polls(3)
                #expect(recorder.alarms.count == 2)
            }
        }
    }

    @Test("a file that disappears and comes back (zmc restarting)")
    func zmcRestart() async throws {
        try await withMonitorFile(HeaderFields(state: .idle, lastEventId: 40)) { dir, file in
            try await withRunningSource(source(dir, lastNotified: [1: 40])) { recorder in
                file.update { $0.lastEventId = 41; $0.state = .alarm }
                #expect(await waitUntil { recorder.alarms.count == 1 })

                // zmc stops: valid = 0 in the old file, then the file goes away.
                file.update { $0.valid = 0 }
                #expect(await waitUntil { recorder.conditions.count == 1 })
                #expect(recorder.conditions == [MonitorConditionChange(monitorId: 1, problem: .notValid(path: file.path))])
                #expect(await waitUntil { recorder.alarms.count == 2 })
                #expect(recorder.summary == ["41 start", "41 end"])
                file.remove()
                #expect(await waitUntil { recorder.conditions.count == 2 })
                #expect(recorder.conditions.last == MonitorConditionChange(monitorId: 1, problem: .missing(path: file.path)))
                await polls(5)
                #expect(recorder.conditions.count == 2)  // reported once, not every poll

                // zmc starts again: a new file (new inode), last_event_id 0 until the next event.
                file.create(HeaderFields(state: .idle, lastEventId: 0))
                #expect(await waitUntil { recorder.conditions.count == 3 })
                #expect(recorder.conditions.last == MonitorConditionChange(monitorId: 1, problem: nil))
                await polls(3)
                #expect(recorder.alarms.count == 2)
                file.update { $0.lastEventId = 42; $0.state = .alarm; $0.alarmCause = "Motion" }
                #expect(await waitUntil { recorder.alarms.count == 3 })
                file.update { $0.state = .idle }
                #expect(await waitUntil { recorder.alarms.count == 4 })
                #expect(recorder.summary == ["41 start", "41 end", "42 start", "42 end"])
            }
        }
    }

    @Test("an unknown layout is reported once and raises no alarm; other monitors go on")
    func unknownLayout() async throws {
        try await withShmDirectory { dir in
            let odd = ZoneMinderMonitorFile(directory: dir, monitorId: 1)
            odd.create(HeaderFields(sizeField: 123, state: .alarm, lastEventId: 50))
            let good = ZoneMinderMonitorFile(directory: dir, monitorId: 2)
            good.create(HeaderFields(state: .idle, lastEventId: 0))
            try await withRunningSource(source(dir, ids: [1, 2])) { recorder in
                #expect(await waitUntil { !recorder.conditions.isEmpty })
                await polls(8)
                #expect(recorder.conditions == [MonitorConditionChange(monitorId: 1, problem: .unknownLayout(path: odd.path, size: 123))])
                #expect(recorder.alarms.isEmpty)
                good.update { $0.lastEventId = 51; $0.state = .alarm }
                #expect(await waitUntil { recorder.alarms.count == 1 })
                #expect(recorder.alarms.first?.monitorId == 2)
                #expect(recorder.alarms.first?.monitorName == "Garage")
            }
        }
    }

    @Test("a truncated file is reported and recovers when the header is whole")
    func truncatedFile() async throws {
        try await withShmDirectory { dir in
            let path = "\(dir)/zm.mmap.1"
            ZoneMinderMonitorFile.writeRaw(Array(headerBytes(.v136, HeaderFields(state: .alarm, lastEventId: 60)).prefix(400)), to: path)
            try await withRunningSource(source(dir)) { recorder in
                #expect(await waitUntil { !recorder.conditions.isEmpty })
                #expect(recorder.conditions == [MonitorConditionChange(monitorId: 1, problem: .truncated(path: path, size: 400, needed: 808))])
                await polls(3)
                #expect(recorder.alarms.isEmpty)
                ZoneMinderMonitorFile(directory: dir, monitorId: 1).create(HeaderFields(state: .alarm, lastEventId: 60))
                #expect(await waitUntil { recorder.alarms.count == 1 })
                #expect(recorder.summary == ["60 start"])
                #expect(recorder.conditions.count == 2)
                #expect(recorder.conditions.last?.problem == nil)
            }
        }
    }

    @Test("restart: the last notified event, still in progress, is not notified again")
    func restart() async throws {
        try await withMonitorFile(HeaderFields(state: .alarm, lastEventId: 70, alarmCause: "Motion")) { dir, file in
            try await withRunningSource(source(dir, lastNotified: [1: 70])) { recorder in
                await polls(5)
                #expect(recorder.alarms.isEmpty)
                file.update { $0.state = .idle }
                #expect(await waitUntil { recorder.alarms.count == 1 })
                #expect(recorder.summary == ["70 end"])
                file.update { $0.lastEventId = 71; $0.state = .alarm }
                #expect(await waitUntil { recorder.alarms.count == 2 })
                #expect(recorder.summary == ["70 end", "71 start"])
            }
        }
    }

    @Test("a monitor missing at start is reported once and picked up when it appears")
    func missingAtStart() async throws {
        try await withShmDirectory { dir in
            try await withRunningSource(source(dir)) { recorder in
                #expect(await waitUntil { recorder.conditions.count == 1 })
                await polls(4)
                #expect(recorder.conditions == [MonitorConditionChange(monitorId: 1, problem: .missing(path: "\(dir)/zm.mmap.1"))])
                let file = ZoneMinderMonitorFile(directory: dir, monitorId: 1)
                file.create(HeaderFields(state: .alarm, lastEventId: 80))
                #expect(await waitUntil { recorder.alarms.count == 1 })
                #expect(recorder.summary == ["80 start"])
                #expect(recorder.conditions.last?.problem == nil)
            }
        }
    }

    @Test("run returns when its task is cancelled")
    func cancellation() async {
        await withShmDirectory { dir in
            let task = Task { await source(dir).run { _ in } }
            await polls(2)
            task.cancel()
            await task.value
        }
    }
}
