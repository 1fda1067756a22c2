import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header layouts as ZoneMinder writes them, spelled out byte by byte independently of
/// `SharedDataLayout`, so the tests check its offsets rather than reuse them.
public enum ZoneMinderVersion: Sendable {
    case v136
    case v138

    public var sharedDataSize: UInt32 { self == .v136 ? 760 : 872 }
    public var stateOffset: Int { self == .v136 ? 12 : 16 }
    public var lastEventIdOffset: Int { self == .v136 ? 32 : 56 }
    public var validOffset: Int { self == .v136 ? 68 : 92 }
    public var alarmCauseOffset: Int { self == .v136 ? 376 : 424 }
    public var triggerDataOffset: Int { self == .v136 ? 760 : 872 }
    /// SharedData plus the whole 560-byte TriggerData.
    public var headerBytes: Int { triggerDataOffset + 560 }
}

/// State numbers as zmc writes them (same numbers in both layouts; 1.38 has no Tape).
public enum RawState: UInt32, Sendable {
    case unknown = 0, idle, prealarm, alarm, alert, tape
}

/// The fields of a header that tests set.
public struct HeaderFields: Sendable {
    public var sizeField: UInt32?  // nil: the version's own size
    public var state: RawState
    public var lastEventId: UInt64
    public var valid: UInt8
    public var alarmCause: String
    public var triggerState: UInt32
    public var triggerCause: String

    public init(
        sizeField: UInt32? = nil, state: RawState = .idle, lastEventId: UInt64 = 0, valid: UInt8 = 1,
        alarmCause: String = "", triggerState: UInt32 = 0, triggerCause: String = ""
    ) {
        self.sizeField = sizeField
        self.state = state
        self.lastEventId = lastEventId
        self.valid = valid
        self.alarmCause = alarmCause
        self.triggerState = triggerState
        self.triggerCause = triggerCause
    }
}

/// A whole header (SharedData and TriggerData) as `version` lays it out.
public func headerBytes(_ version: ZoneMinderVersion, _ fields: HeaderFields) -> [UInt8] {
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
/// the image buffer, updates it in place, removes and recreates it. The one writer of these files for
/// every test target: the source's own tests and the servers' end-to-end tests.
public final class ZoneMinderMonitorFile: @unchecked Sendable {
    public let directory: String
    public let monitorId: Int
    public let version: ZoneMinderVersion
    public let padding: Int
    public private(set) var fields: HeaderFields

    public var path: String { "\(directory)/zm.mmap.\(monitorId)" }

    public init(directory: String, monitorId: Int, version: ZoneMinderVersion = .v136, padding: Int = 64 * 1024, fields: HeaderFields = HeaderFields()) {
        self.directory = directory
        self.monitorId = monitorId
        self.version = version
        self.padding = padding
        self.fields = fields
    }

    /// Creates the file (a new inode), header and padding.
    public func create(_ fields: HeaderFields? = nil) {
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
    public func update(_ change: (inout HeaderFields) -> Void) {
        change(&fields)
        let fd = open(path, O_WRONLY)
        precondition(fd >= 0, "update \(path): errno \(errno)")
        defer { close(fd) }
        write(fd: fd, headerBytes(version, fields))
    }

    public func remove() {
        unlink(path)
    }

    public func truncate(to size: Int) {
        precondition(truncateFile(path, size) == 0)
    }

    /// Writes arbitrary bytes as the whole file (new inode).
    public static func writeRaw(_ bytes: [UInt8], to path: String) {
        unlink(path)
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o640)
        precondition(fd >= 0)
        defer { close(fd) }
        if !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            precondition(written == bytes.count)
        }
    }

    /// What zmc does as a monitor changes: the header with `state`, `event` and `cause`, written in
    /// place (same inode), or as a new file when there is none.
    public func write(state: RawState, event: UInt64, cause: String = "Motion") {
        var fields = self.fields
        fields.state = state
        fields.lastEventId = event
        fields.alarmCause = cause
        if FileManager.default.fileExists(atPath: path) {
            update { $0 = fields }
        } else {
            create(fields)
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
