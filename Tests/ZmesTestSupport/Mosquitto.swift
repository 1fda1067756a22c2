import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real Mosquitto broker (Debian's `mosquitto`), started by a test on a free loopback port with
/// its own configuration file and data directory (persistence on, so QoS 1 sessions survive a
/// restart), stopped by its PID.
public final class MosquittoBroker: @unchecked Sendable {
    public static let executable = "/usr/sbin/mosquitto"
    public let port: Int
    public let directory: String
    private let lock = NSLock()
    private var process: Process?

    /// Writes `mosquitto.conf` in `directory` (with `extraConfig` lines) and starts the broker.
    /// - Parameter passwords: a `mosquitto_passwd` file; with it, anonymous clients are refused.
    public init(directory: String, port: Int, passwords: String? = nil, extraConfig: [String] = []) throws {
        self.port = port
        self.directory = directory
        let config = [
            "listener \(port) 127.0.0.1",
            passwords.map { "allow_anonymous false\npassword_file \($0)" } ?? "allow_anonymous true",
            // Run as root it would switch to the user `mosquitto`, who cannot write the test's directory.
            "user \(String(cString: getpwuid(getuid()).pointee.pw_name))",
            "persistence true",
            "persistence_location \(directory)/",
            "max_queued_messages 0",
            "log_dest file \(directory)/mosquitto.log",
            "log_type all",
        ] + extraConfig
        try (config.joined(separator: "\n") + "\n").write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    /// Starts the broker and waits until it accepts connections.
    /// A broker that lets in only `user` with `password` (a password file made by `mosquitto_passwd`).
    public static func withLogin(directory: String, port: Int, user: String, password: String) throws -> MosquittoBroker {
        let passwords = directory + "/passwords"
        try "\(user):\(password)\n".write(toFile: passwords, atomically: true, encoding: .utf8)
        let hash = Process()
        hash.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        hash.arguments = ["-U", passwords]
        try launch(hash)
        waitForExit(hash)
        return try MosquittoBroker(directory: directory, port: port, passwords: passwords)
    }

    public func start() throws {
        let process = Process()
        unblockingSignals(process, Self.executable, ["-c", directory + "/mosquitto.conf"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try launch(process)
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while !loopbackAccepts(port: port) {
            guard Date() < deadline, process.isRunning else { throw TestFailure("mosquitto did not listen on 127.0.0.1:\(port); see \(directory)/mosquitto.log") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Stops the broker with SIGTERM (it saves its sessions) and waits for it.
    public func stop() {
        guard let process = lock.withLock({ self.process }) else { return }
        lock.withLock { self.process = nil }
        kill(process.processIdentifier, SIGTERM)
        waitForExit(process)
    }

    deinit { stop() }
}

/// `mosquitto_sub -v -q 1 -c -i ID`: a subscriber with a persistent session (QoS 1), its output
/// (`topic payload` per line) in a file, stopped by its PID.
public final class MosquittoSubscriber: @unchecked Sendable {
    public let output: String
    private let process: Process

    public init(port: Int, clientID: String, topics: [String], output: String) throws {
        self.output = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        unblockingSignals(
            process, "/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-v", "-q", "1", "-c", "-i", clientID] + topics.flatMap { ["-t", $0] })
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try launch(process)
        self.process = process
    }

    /// Each message received so far: (topic, payload).
    public var messages: [(topic: String, payload: String)] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        waitForExit(process)
    }

    deinit { stop() }
}

/// Polls rather than `waitUntilExit()`, whose run loop corelibs Foundation's launches on other threads can crash.
public func waitForExit(_ process: Process, timeout: TimeInterval = 20) {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
}

/// Runs `program` with an empty signal mask. A child inherits its launching thread's mask, and the
/// test process's threads block SIGTERM and SIGINT: Mosquitto would never see them, and a broker
/// killed instead of stopped does not save its sessions.
func unblockingSignals(_ process: Process, _ program: String, _ arguments: [String]) {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
    process.arguments = ["-MPOSIX", "-e", "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die", program] + arguments
}
