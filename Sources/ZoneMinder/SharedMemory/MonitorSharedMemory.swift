#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one read of a monitor's shared memory found.
public struct MonitorSnapshot: Sendable, Equatable {
    public var state: MonitorState
    public var lastEventId: UInt64
    /// `SharedData.valid`; always true in a snapshot ``MonitorSharedMemory/read()`` returns
    /// (an invalid header is reported as ``SharedMemoryError/notValid(path:)``).
    public var valid: Bool
    /// `alarm_cause`, or the trigger cause when `alarm_cause` is empty.
    public var cause: String

    public init(state: MonitorState, lastEventId: UInt64, valid: Bool = true, cause: String = "") {
        self.state = state
        self.lastEventId = lastEventId
        self.valid = valid
        self.cause = cause
    }
}

/// Why a monitor's shared memory could not be read. Each case names the file; the caller logs it.
public enum SharedMemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `zm.mmap.<id>`: zmc is not running for that monitor (or is restarting).
    case missing(path: String)
    /// The file is smaller than the header zmes reads.
    case truncated(path: String, size: Int, needed: Int)
    /// `SharedData.size` is not one of the known layouts: refused, never guessed.
    case unknownLayout(path: String, size: UInt32)
    /// `valid` is 0 (zmc is shutting down or restarting) or `size` is still 0 (being created).
    case notValid(path: String)
    /// A system call failed (`errno`), e.g. permission denied.
    case system(path: String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path) does not exist (zmc not running for this monitor?)"
        case .truncated(let path, let size, let needed):
            return "\(path) holds \(size) bytes, fewer than the \(needed) of its header"
        case .unknownLayout(let path, let size):
            let known = SharedDataLayout.known.map { "\($0.sharedDataSize) (\($0.name))" }.joined(separator: ", ")
            return "\(path) has an unknown shared memory layout: SharedData size \(size), known: \(known); not read"
        case .notValid(let path):
            return "\(path) is not valid (zmc is starting or stopping)"
        case .system(let path, let call, let code):
            var text = "\(call)(\(path)) failed: \(String(cString: strerror(code))) (errno \(code))"
            if code == EACCES {
                text += "; the file is www-data:www-data 0640: run zmes as root or in group www-data"
            }
            return text
        }
    }
}

/// A read-only view of one monitor's `<shm_dir>/zm.mmap.<id>`.
///
/// Maps only the header (``SharedDataLayout/headerLength`` bytes, not the image ring buffer that
/// follows), remembers the inode it mapped, and remaps when the path names another inode (zmc
/// recreated the file) or when `valid` reads 0. Before every read it checks the size of the mapped
/// file with `fstat`, so a file that shrinks under the mapping is reported as truncated instead of
/// raising SIGBUS (a shrink between that check and the loads a few instructions later remains
/// possible in theory; zmc never truncates a live file, it unlinks and recreates it).
///
/// Not thread-safe: one poller owns it.
public final class MonitorSharedMemory {
    public let monitorId: Int
    public let path: String

    private var fd: Int32 = -1
    private var base: UnsafeRawPointer?
    private var mappedLength = 0
    private var mappedDevice: UInt64 = 0
    private var mappedInode: UInt64 = 0
    private var mappedLayout: SharedDataLayout?
    private var alarmCause = CachedCString()
    private var triggerCause = CachedCString()

    public init(monitorId: Int, shmDirectory: String = "/dev/shm") {
        self.monitorId = monitorId
        let directory = shmDirectory.hasSuffix("/") ? String(shmDirectory.dropLast()) : shmDirectory
        self.path = "\(directory)/zm.mmap.\(monitorId)"
    }

    deinit {
        unmap()
    }

    /// The inode of the current mapping, nil when nothing is mapped.
    public var inode: UInt64? { base == nil ? nil : mappedInode }

    /// The layout of the current mapping, nil when nothing is mapped.
    public var layout: SharedDataLayout? { base == nil ? nil : mappedLayout }

    public var isMapped: Bool { base != nil }

    /// Reads state, last event id and cause, (re)mapping the file first if needed.
    public func read() throws(SharedMemoryError) -> MonitorSnapshot {
        var pathStat = stat()
        if stat(path, &pathStat) != 0 {
            let code = errno
            unmap()
            if code == ENOENT || code == ENOTDIR { throw .missing(path: path) }
            throw .system(path: path, call: "stat", errno: code)
        }
        if base != nil, UInt64(pathStat.st_ino) != mappedInode || UInt64(pathStat.st_dev) != mappedDevice {
            unmap()
        }
        if base == nil {
            try map()
        }
        return try readMapped()
    }

    /// Drops the mapping and the descriptor; the next ``read()`` maps again.
    public func close() {
        unmap()
    }

    private func map() throws(SharedMemoryError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .missing(path: path) }
            throw .system(path: path, call: "open", errno: code)
        }
        var fileStat = stat()
        guard fstat(descriptor, &fileStat) == 0 else {
            let code = errno
            closeDescriptor(descriptor)
            throw .system(path: path, call: "fstat", errno: code)
        }
        let fileSize = Int(fileStat.st_size)
        var sizeField: UInt32 = 0
        guard fileSize >= MemoryLayout<UInt32>.size else {
            closeDescriptor(descriptor)
            throw .truncated(path: path, size: fileSize, needed: MemoryLayout<UInt32>.size)
        }
        let got = withUnsafeMutableBytes(of: &sizeField) { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard got == MemoryLayout<UInt32>.size else {
            let code = errno
            closeDescriptor(descriptor)
            throw .system(path: path, call: "pread", errno: got < 0 ? code : EIO)
        }
        sizeField = UInt32(littleEndian: sizeField)
        if sizeField == 0 {
            // zmc has created the file but not yet initialised the header.
            closeDescriptor(descriptor)
            throw .notValid(path: path)
        }
        guard let layout = SharedDataLayout.layout(forSize: sizeField) else {
            closeDescriptor(descriptor)
            throw .unknownLayout(path: path, size: sizeField)
        }
        guard fileSize >= layout.headerLength else {
            closeDescriptor(descriptor)
            throw .truncated(path: path, size: fileSize, needed: layout.headerLength)
        }
        let pointer = mmap(nil, layout.headerLength, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            let code = errno
            closeDescriptor(descriptor)
            throw .system(path: path, call: "mmap", errno: code)
        }
        fd = descriptor
        base = UnsafeRawPointer(pointer)
        mappedLength = layout.headerLength
        mappedDevice = UInt64(fileStat.st_dev)
        mappedInode = UInt64(fileStat.st_ino)
        mappedLayout = layout
    }

    private func readMapped() throws(SharedMemoryError) -> MonitorSnapshot {
        guard let base, let layout = mappedLayout else { throw .notValid(path: path) }
        // The file may have shrunk since it was mapped: touching a page past its end raises SIGBUS.
        var fileStat = stat()
        guard fstat(fd, &fileStat) == 0 else {
            let code = errno
            unmap()
            throw .system(path: path, call: "fstat", errno: code)
        }
        let fileSize = Int(fileStat.st_size)
        guard fileSize >= mappedLength else {
            let needed = mappedLength
            unmap()
            throw .truncated(path: path, size: fileSize, needed: needed)
        }
        let size = UInt32(littleEndian: base.loadUnaligned(as: UInt32.self))
        guard size == layout.sharedDataSize else {
            // zmc reinitialised the header in place: map again from scratch on the next read.
            unmap()
            if size != 0, SharedDataLayout.layout(forSize: size) == nil {
                throw .unknownLayout(path: path, size: size)
            }
            throw .notValid(path: path)
        }
        guard base.load(fromByteOffset: layout.validOffset, as: UInt8.self) != 0 else {
            unmap()
            throw .notValid(path: path)
        }
        let rawState = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: layout.stateOffset, as: UInt32.self))
        let lastEventId = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: layout.lastEventIdOffset, as: UInt64.self))
        var cause = alarmCause.value(at: base + layout.alarmCauseOffset, capacity: layout.alarmCauseLength)
        if cause.isEmpty {
            cause = triggerCause.value(at: base + layout.triggerCauseOffset, capacity: layout.triggerCauseLength)
        }
        return MonitorSnapshot(state: layout.state(fromRaw: rawState), lastEventId: lastEventId, valid: true, cause: cause)
    }

    private func unmap() {
        if let base {
            _ = munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
        if fd >= 0 {
            closeDescriptor(fd)
        }
        base = nil
        fd = -1
        mappedLength = 0
        mappedLayout = nil
    }
}

@available(*, unavailable)
extension MonitorSharedMemory: Sendable {}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// Decodes a NUL-terminated `char[N]` into a String, reusing the previous String while the bytes
/// have not changed, so that polling an unchanged cause allocates nothing.
struct CachedCString {
    private var bytes: [UInt8] = []
    private var string = ""

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func value(at pointer: UnsafeRawPointer, capacity: Int) -> String {
        let length: Int
        if let nul = memchr(pointer, 0, capacity) {
            length = UnsafeRawPointer(nul) - pointer
        } else {
            length = capacity
        }
        let current = UnsafeRawBufferPointer(start: pointer, count: length)
        let same = bytes.withUnsafeBytes { cached in
            cached.count == length && (length == 0 || memcmp(cached.baseAddress!, pointer, length) == 0)
        }
        if !same {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: current)
            string = String(decoding: bytes, as: UTF8.self)
        }
        return string
    }
}
