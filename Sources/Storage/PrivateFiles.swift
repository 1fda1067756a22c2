import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and directories only their owner may read: the store holds provider keys,
/// password hashes and every push token, and the TLS key sits beside it.
///
/// Modes are given to `mkdir`/`open` when the file is made (never a `chmod` after),
/// so there is no moment when another user could open it, whatever the umask.
public enum PrivateFiles {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// `mkdir -p` where each directory it creates gets mode 0700; existing ones are left as they are.
    public static func createDirectory(_ path: String) throws(Failure) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure(path: path, reason: "exists and is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Creates an empty file with mode 0600 unless it exists (SQLite then gives its -wal and -shm the same mode).
    public static func createFileIfMissing(_ path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
        } else if errno != EEXIST {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Takes group and other access away from files an older zmes created with the umask's mode.
    /// Files that do not exist, or that this user may not change, are left alone.
    public static func restrictExisting(_ paths: [String]) {
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { continue }
            _ = chmod(path, status.st_mode & 0o700)
        }
    }

    /// Writes `bytes` to `path` through a new file opened with mode 0600 and renamed into place,
    /// so the secret is never readable by others, not even for a moment.
    public static func writeSecret(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temporary = path + ".tmp-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw Failure(path: path, reason: reason)
            }
            written += result
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(path: path, reason: reason)
        }
    }
}
