import Foundation
import ZmesTestSupport

/// The ports a `zmes serve` listens on.
typealias Ports = (webSocket: Int, admin: Int)

/// Runs the `zmes` executable built beside the test bundle.
enum Zmes {
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the runner is .build/<config>/zmesPackageTests.xctest; on macOS a bundle inside it.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("zmes").path),
            directory.pathComponents.count > 1
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("zmes")
    }

    static func makeDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-e2e-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `<directory>/zmes.yml`: the websocket and admin listeners on loopback ports that are free now;
    /// `server` and `admin` are more keys of those sections (nested ones indented below them),
    /// `sections` more YAML after them.
    static func writeConfig(_ directory: String, server: [String] = [], admin: [String] = [], sections: String = "") throws {
        let lines = ["server:", "  address: 127.0.0.1", "  port: \(try freePort())"] + server.map { "  " + $0 }
            + ["admin:", "  port: \(try freePort())"] + admin.map { "  " + $0 }
        try (lines.joined(separator: "\n") + "\n" + sections).write(toFile: directory + "/zmes.yml", atomically: true, encoding: .utf8)
    }

    /// A loopback port nobody listens on right now.
    static func freePort() throws -> Int { try freeLoopbackPort() }

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String], in directory: String, input: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = standardInput
        try launch(process)
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    static func json(_ arguments: [String], in directory: String) throws -> [[String: Any]] {
        let result = try run(arguments, in: directory)
        guard result.status == 0 else { throw TestFailure("zmes \(arguments.joined(separator: " ")) failed: \(result.errors)") }
        guard let array = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw TestFailure("not a JSON array: \(result.output)")
        }
        return array
    }

    /// Starts `zmes` with `arguments` (a `serve`) in `directory`, waits until it listens, and runs
    /// `body` with it and its ports; one that `body` leaves running is killed, and waited for, afterwards.
    static func serving<T>(
        in directory: String, arguments: [String] = ["serve"], launcher: [String] = [],
        _ body: (RunningZmes, Ports) async throws -> T
    ) async throws -> T {
        let server = try start(arguments, in: directory, launcher: launcher)
        defer { server.terminateIfRunning() }
        return try await body(server, try await server.waitForListening())
    }

    /// `launcher`, when given, runs zmes (e.g. `["/usr/bin/prlimit", "--nofile=1024:1024"]`): zmes's path and `arguments` follow it.
    static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:], launcher: [String] = []) throws -> RunningZmes {
        try RunningZmes(arguments: arguments, directory: directory, environment: environment, launcher: launcher)
    }
}

/// A `zmes serve` process with its output collected as it comes.
final class RunningZmes: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var out = ""
    private var err = ""

    var standardOutput: String { lock.withLock { out } }
    var standardError: String { lock.withLock { err } }

    init(arguments: [String], directory: String, environment: [String: String] = [:], launcher: [String] = []) throws {
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Zmes.executable.path] + arguments
        } else {
            process.executableURL = Zmes.executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.lock.withLock { self?.out += text }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.lock.withLock { self?.err += text }
        }
        try launch(process)
    }

    /// Waits for the "listening" log line and reads the bound ports from it.
    func waitForListening(timeout: Duration = .seconds(30)) async throws -> Ports {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = standardError
            if let match = log.firstMatch(of: /admin=http:\/\/[^ ]*:(\d+) websocket=wss?:\/\/[^ ]*:(\d+)/),
                let admin = Int(match.1), let webSocket = Int(match.2)
            {
                return (webSocket, admin)
            }
            guard process.isRunning else { throw TestFailure("zmes exited: \(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("zmes did not start listening: \(standardError)")
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate(timeout: Duration = .seconds(20)) async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("zmes did not exit after SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends a signal (e.g. SIGHUP) and lets the process go on.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// kill -9: no chance to clean up, as in a crash.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        waitForExit()
    }

    /// kill -9 if still running, and waits until it has exited, so no test outlives its server.
    func terminateIfRunning() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        waitForExit()
    }

    /// Polls rather than `waitUntilExit()`, which spins a run loop that corelibs Foundation's
    /// process launching on other threads can crash.
    private func waitForExit(timeout: TimeInterval = 20) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
    }
}
