import Foundation

/// A monitor's shared-memory file as ZoneMinder's zmc writes it (the offsets of SharedDataLayout.swift),
/// for tests that drive the shared-memory alarm source through a server.
public struct ZoneMinderMonitorFile: Sendable {
    public let path: String
    /// ZoneMinder 1.36 (SharedData 760 bytes) or 1.37/1.38 (872 bytes, fields further on).
    public var newerLayout = false

    public init(path: String, newerLayout: Bool = false) {
        self.path = path
        self.newerLayout = newerLayout
    }

    /// Writes the header in place (same inode, as zmc does), with image-buffer padding after it.
    public func write(state: UInt32, event: UInt64, cause: String = "Motion", valid: UInt8 = 1) throws {
        var bytes = [UInt8](repeating: 0, count: 4_096)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { bytes[offset + i] = byte } }
        }
        let (size, stateAt, eventAt, validAt, causeAt): (UInt32, Int, Int, Int, Int) =
            newerLayout ? (872, 16, 56, 92, 424) : (760, 12, 32, 68, 376)
        put(size, at: 0)
        put(state, at: stateAt)
        put(event, at: eventAt)
        bytes[validAt] = valid
        for (i, byte) in cause.utf8.prefix(255).enumerated() { bytes[causeAt + i] = byte }
        put(UInt32(560), at: Int(size))
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }
}
