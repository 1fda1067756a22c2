import Foundation
import Model
import ZoneMinder

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header layouts as ZoneMinder writes them, spelled out byte by byte independently of
/// `SharedDataLayout`, so the tests check its offsets rather than reuse them.
enum ZoneMinderVersion {
    case v136
    case v138

    var sharedDataSize: UInt32 { self == .v136 ? 760 : 872 }
    var stateOffset: Int { self == .v136 ? 12 : 16 }
    var lastEventIdOffset: Int { self == .v136 ? 32 : 56 }
    var validOffset: Int { self == .v136 ? 68 : 92 }
    var alarmCauseOffset: Int { self == .v136 ? 376 : 424 }
    var triggerDataOffset: Int { self == .v136 ? 760 : 872 }
    /// SharedData plus the whole 560-byte TriggerData.
    var headerBytes: Int { triggerDataOffset + 560 }
}

/// State numbers as zmc writes them (same numbers in both layouts; 1.38 has no Tape).
enum RawState: UInt32 {
    case unknown = 0, idle, prealarm, alarm, alert, tape
}

struct HeaderFields {
    var sizeField: UInt32? = nil  // nil: the version's own size
    var state: RawState = .idle
    var lastEventId: UInt64 = 0
    var valid: UInt8 = 1
    var alarmCause = ""
    var triggerState: UInt32 = 0
    var triggerCause = ""
}

func headerBytes(_ version: ZoneMinderVersion, _ fields: HeaderFields) -> [UInt8] {
    // Junk everywhere zmes must not read (fps, padding, control_state, ...), to catch wrong offsets.
    var bytes = [UInt8](repeating: 0x5A, count: version.headerBytes)
    func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
        }
    }
    func putString(_ string: String, at offset: Int, capacity: Int) {
        for i in 0..<capacity { bytes[offset + i] = 0 }
        for (i, byte) in string.utf8.prefix(capacity - 1).enumerated() { bytes[offset + i] = byte }
    }
    put(fields.sizeField ?? version.sharedDataSize, at: 0)
    put(fields.state.rawValue, at: version.stateOffset)
    put(fields.lastEventId, at: version.lastEventIdOffset)
    bytes[version.validOffset] = fields.valid
    putString(fields.alarmCause, at: version.alarmCauseOffset, capacity: 256)
    let trigger = version.triggerDataOffset
    put(UInt32(560), at: trigger)
    put(fields.triggerState, at: trigger + 4)
    put(UInt32(0), at: trigger + 8)
    put(UInt32(0), at: trigger + 12)
    putString(fields.triggerCause, at: trigger + 16, capacity: 32)
    putString("", at: trigger + 48, capacity: 256)
    putString("", at: trigger + 304, capacity: 256)
    return bytes
}

/// Plays zmc: writes `<dir>/zm.mmap.<id>` with a real header followed by padding that stands for
/// the image buffer, updates it in place, removes and recreates it.
final class FakeMonitorFile: @unchecked Sendable {
    let directory: String
    let monitorId: Int
    let version: ZoneMinderVersion
    let padding: Int
    private(set) var fields: HeaderFields

    var path: String { "\(directory)/zm.mmap.\(monitorId)" }

    init(directory: String, monitorId: Int, version: ZoneMinderVersion = .v136, padding: Int = 64 * 1024, fields: HeaderFields = HeaderFields()) {
        self.directory = directory
        self.monitorId = monitorId
        self.version = version
        self.padding = padding
        self.fields = fields
    }

    /// Creates the file (a new inode), header and padding.
    func create(_ fields: HeaderFields? = nil) {
        if let fields { self.fields = fields }
        unlink(path)
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o640)
        precondition(fd >= 0, "create \(path): errno \(errno)")
        defer { close(fd) }
        let bytes = headerBytes(version, self.fields)
        precondition(ftruncate(fd, off_t(bytes.count + padding)) == 0)
        write(fd: fd, bytes)
    }

    /// Changes fields in place (same inode), writing the whole header with one pwrite.
    func update(_ change: (inout HeaderFields) -> Void) {
        change(&fields)
        let fd = open(path, O_WRONLY)
        precondition(fd >= 0, "update \(path): errno \(errno)")
        defer { close(fd) }
        write(fd: fd, headerBytes(version, fields))
    }

    func remove() {
        unlink(path)
    }

    func truncate(to size: Int) {
        precondition(truncateFile(path, size) == 0)
    }

    /// Writes arbitrary bytes as the whole file (new inode).
    static func writeRaw(_ bytes: [UInt8], to path: String) {
        unlink(path)
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o640)
        precondition(fd >= 0)
        defer { close(fd) }
        if !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            precondition(written == bytes.count)
        }
    }

    private func write(fd: Int32, _ bytes: [UInt8]) {
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        precondition(written == bytes.count)
    }
}

private func truncateFile(_ path: String, _ size: Int) -> Int32 {
    truncate(path, off_t(size))
}

/// A fresh directory standing for /dev/shm, removed afterwards.
func withShmDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-shm-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// What a running source handed out.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _alarms: [Alarm] = []
    private var _conditions: [MonitorConditionChange] = []

    var alarms: [Alarm] { lock.withLock { _alarms } }
    var conditions: [MonitorConditionChange] { lock.withLock { _conditions } }

    func append(_ alarm: Alarm) { lock.withLock { _alarms.append(alarm) } }
    func record(_ change: MonitorConditionChange) { lock.withLock { _conditions.append(change) } }

    /// Event ids and kinds, e.g. `["11 start", "11 end"]`.
    var summary: [String] { alarms.map { "\($0.eventId) \($0.kind.rawValue)" } }
}

/// Runs `source` while `body` runs, then cancels it.
func withRunningSource(_ source: SharedMemoryAlarmSource, _ body: (Recorder) async throws -> Void) async throws {
    let recorder = Recorder()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            await source.run(onCondition: { recorder.record($0) }, onAlarm: { recorder.append($0) })
        }
        try await body(recorder)
        group.cancelAll()
    }
}

/// Polls `condition` until it holds or `timeout` passes; tells which.
func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
