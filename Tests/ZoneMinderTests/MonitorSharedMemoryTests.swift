import Foundation
import Testing
import ZmesTestSupport
import ZoneMinder

@Suite("MonitorSharedMemory")
struct MonitorSharedMemoryTests {
    @Test("reads state, last event id and cause from a 1.36 header", arguments: [ZoneMinderVersion.v136, .v138])
    func readsFields(version: ZoneMinderVersion) async throws {
        try await withMonitorFile(HeaderFields(state: .alarm, lastEventId: 123_456_789_012, alarmCause: "Forced Web"), monitorId: 3, version: version) { dir, file in
            let memory = MonitorSharedMemory(monitorId: 3, shmDirectory: dir)
            let snapshot = try memory.read()
            #expect(snapshot == MonitorSnapshot(state: .alarm, lastEventId: 123_456_789_012, valid: true, cause: "Forced Web"))
            #expect(memory.layout == (version == .v136 ? .zoneMinder136 : .zoneMinder138))
            #expect(memory.path == "\(dir)/zm.mmap.3")

            file.update { $0.state = .alert }
            #expect(try memory.read().state == .alert)
            file.update { $0.state = .idle; $0.alarmCause = "Motion: All" }
            #expect(try memory.read() == MonitorSnapshot(state: .idle, lastEventId: 123_456_789_012, cause: "Motion: All"))
        }
    }

    @Test("an empty alarm_cause falls back to the trigger cause")
    func triggerCause() async throws {
        try await withShmDirectory { dir throws in
            let file = ZoneMinderMonitorFile(directory: dir, monitorId: 1, version: .v138)
            file.create(HeaderFields(state: .alarm, lastEventId: 9, alarmCause: "", triggerState: 1, triggerCause: "MyCause"))
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            #expect(try memory.read().cause == "MyCause")
            file.update { $0.alarmCause = "Forced Web" }
            #expect(try memory.read().cause == "Forced Web")
        }
    }

    @Test("a missing file")
    func missing() async throws {
        await withShmDirectory { dir in
            let memory = MonitorSharedMemory(monitorId: 7, shmDirectory: dir)
            #expect(throws: SharedMemoryError.missing(path: "\(dir)/zm.mmap.7")) { try memory.read() }
            #expect(!memory.isMapped)
        }
    }

    @Test("a file smaller than the header is truncated")
    func truncated() async throws {
        await withShmDirectory { dir in
            let path = "\(dir)/zm.mmap.1"
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            ZoneMinderMonitorFile.writeRaw(Array(headerBytes(.v136, HeaderFields()).prefix(500)), to: path)
            #expect(throws: SharedMemoryError.truncated(path: path, size: 500, needed: 808)) { try memory.read() }
            ZoneMinderMonitorFile.writeRaw([0xF8, 0x02], to: path)
            #expect(throws: SharedMemoryError.truncated(path: path, size: 2, needed: 4)) { try memory.read() }
            ZoneMinderMonitorFile.writeRaw([], to: path)
            #expect(throws: SharedMemoryError.truncated(path: path, size: 0, needed: 4)) { try memory.read() }
        }
    }

    @Test("an unknown layout is refused with its size")
    func unknownLayout() async throws {
        await withShmDirectory { dir in
            let file = ZoneMinderMonitorFile(directory: dir, monitorId: 2)
            file.create(HeaderFields(sizeField: 123, state: .alarm, lastEventId: 5))
            let memory = MonitorSharedMemory(monitorId: 2, shmDirectory: dir)
            let expected = SharedMemoryError.unknownLayout(path: file.path, size: 123)
            #expect(throws: expected) { try memory.read() }
            #expect(expected.description.contains("123"))
            #expect(expected.description.contains("760"))
            #expect(expected.description.contains("872"))
            #expect(!memory.isMapped)
        }
    }

    @Test("valid == 0 is not valid, and the mapping is dropped")
    func notValid() async throws {
        try await withMonitorFile(HeaderFields(state: .idle, lastEventId: 4)) { dir, file in
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            _ = try memory.read()
            #expect(memory.isMapped)
            file.update { $0.valid = 0 }
            #expect(throws: SharedMemoryError.notValid(path: file.path)) { try memory.read() }
            #expect(!memory.isMapped)
            file.update { $0.valid = 1; $0.lastEventId = 5 }
            #expect(try memory.read().lastEventId == 5)
        }
    }

    @Test("a new inode at the path is mapped again")
    func inodeChange() async throws {
        try await withMonitorFile(HeaderFields(state: .alarm, lastEventId: 10)) { dir, file in
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            #expect(try memory.read().lastEventId == 10)
            let firstInode = try #require(memory.inode)
            // Replace the file atomically while it is mapped: the old inode lives on in our mapping.
            let replacement = ZoneMinderMonitorFile(directory: dir, monitorId: 99, version: .v138)
            replacement.create(HeaderFields(state: .idle, lastEventId: 0))
            #expect(rename(replacement.path, file.path) == 0)
            #expect(try memory.read() == MonitorSnapshot(state: .idle, lastEventId: 0, cause: ""))
            #expect(memory.inode != firstInode)
            #expect(memory.layout == .zoneMinder138)
        }
    }

    @Test("a file that shrinks under the mapping is reported, not a crash")
    func shrinkUnderMapping() async throws {
        try await withShmDirectory { dir in
            let file = ZoneMinderMonitorFile(directory: dir, monitorId: 1, padding: 3 * 4096)
            file.create(HeaderFields(state: .alarm, lastEventId: 10))
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            _ = try memory.read()
            file.truncate(to: 100)
            #expect(throws: SharedMemoryError.truncated(path: file.path, size: 100, needed: 808)) { try memory.read() }
            file.truncate(to: 0)
            #expect(throws: SharedMemoryError.truncated(path: file.path, size: 0, needed: 4)) { try memory.read() }
            file.create()
            #expect(try memory.read().lastEventId == 10)
        }
    }

    @Test("a header still being created (size 0) is not valid yet")
    func sizeZero() async throws {
        await withShmDirectory { dir in
            let file = ZoneMinderMonitorFile(directory: dir, monitorId: 1)
            file.create(HeaderFields(sizeField: 0))
            let memory = MonitorSharedMemory(monitorId: 1, shmDirectory: dir)
            #expect(throws: SharedMemoryError.notValid(path: file.path)) { try memory.read() }
        }
    }
}
