import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one run of a hook program ended.
struct HookExit: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the timeout: its whole process group was killed.
        case timedOut
        /// `posix_spawn` failed (no such file, not executable, ...).
        case notStarted(String)
    }

    var status: Status
    /// Its standard output, at most `HookProcess.outputLimit` bytes.
    var output: String
    /// The start of its standard error, for the log when it fails.
    var errors: String
}

/// Runs one hook program without a shell, in a process group of its own, and kills the whole
/// group (SIGKILL) at the timeout: a script's `sleep 1000` child goes with it and nothing is left
/// holding the output pipe. Blocking waits run on a thread of their own, never on a shared pool.
enum HookProcess {
    /// Bytes of standard output kept; the rest is read and thrown away so the hook never blocks on a full pipe.
    static let outputLimit = 64 * 1_024
    static let errorLimit = 4 * 1_024

    static func run(_ argv: [String], timeout: Duration) async -> HookExit {
        // A thread of its own: blocked for up to the timeout, it must not hold one of the few
        // threads the shared dispatch queues (and what runs on them) have.
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(argv, timeout: timeout))
            }
            thread.name = "zmes-hook"
            thread.start()
        }
    }

    private static func runBlocking(_ argv: [String], timeout: Duration) -> HookExit {
        guard let program = argv.first else { return HookExit(status: .notStarted("no program"), output: "", errors: "") }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { return HookExit(status: .notStarted(errnoText()), output: "", errors: "") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            return HookExit(status: .notStarted(errnoText()), output: "", errors: "")
        }

        // Not inherited by anything else this process starts.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (to kill it whole), default handlers for the signals the server ignores
        // or handles (ignored ones would be inherited), and nothing blocked.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, arguments, environ)
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard spawned == 0 else {
            return HookExit(status: .notStarted("\(program): \(String(cString: strerror(spawned)))"), output: "", errors: "")
        }
        _ = fcntl(outPipe[0], F_SETFL, fcntl(outPipe[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(errPipe[0], F_SETFL, fcntl(errPipe[0], F_GETFL) | O_NONBLOCK)

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var output = Bounded(limit: outputLimit)
        var errors = Bounded(limit: errorLimit)
        var open: [(fd: Int32, isOutput: Bool)] = [(outPipe[0], true), (errPipe[0], false)]
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, WNOHANG) == pid {
                // Exited: take what is already written; a child it left behind may hold the pipe open.
                for stream in open {
                    if stream.isOutput { drain(stream.fd, into: &output) } else { drain(stream.fd, into: &errors) }
                }
                break
            }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                return HookExit(status: .timedOut, output: output.text, errors: errors.text)
            }
            let milliseconds = Int32(min(100, max(1, remaining.components.seconds * 1_000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
            if open.isEmpty {
                usleep(useconds_t(milliseconds) * 1_000)
                continue
            }
            var polled = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), milliseconds)
            var stillOpen: [(fd: Int32, isOutput: Bool)] = []
            for (index, stream) in open.enumerated() {
                if polled[index].revents == 0 {
                    stillOpen.append(stream)
                } else if stream.isOutput ? drain(stream.fd, into: &output) : drain(stream.fd, into: &errors) {
                    stillOpen.append(stream)
                }
            }
            open = stillOpen
        }
        let signal = status & 0x7f
        return HookExit(
            status: signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal), output: output.text, errors: errors.text)
    }

    /// Reads what is there; false at end of file.
    @discardableResult
    private static func drain(_ fd: Int32, into buffer: inout Bounded) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 8_192)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(chunk[0..<count])
            } else if count == 0 {
                return false
            } else {
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
            }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Bytes up to a limit; what comes past it is dropped.
    private struct Bounded {
        let limit: Int
        var bytes: [UInt8] = []

        mutating func append(_ more: ArraySlice<UInt8>) {
            bytes.append(contentsOf: more.prefix(max(0, limit - bytes.count)))
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
}
