import Foundation

/// A server process the benchmark launched (zmes, or the reference server), with its
/// output in a log file. It is registered with `ChildProcesses`, so it is killed even
/// when the benchmark fails.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked: `Process` is only touched from the thread driving the benchmark.
    private let process = Process()
    public let logPath: String

    public var pid: pid_t { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public init(executable: String, arguments: [String], directory: String, logPath: String) throws(BenchmarkError) {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw .launchFailed("cannot write \(logPath)") }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .launchFailed("\(executable): \(error)")
        }
        ChildProcesses.add(process.processIdentifier)
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
    public func stop(grace: Double = 10) {
        defer { ChildProcesses.remove(pid) }
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2_000))
    }
}

/// A temp directory with a zmes configuration for benchmarks: wss with the
/// self-signed certificate zmes creates, push off, no login check.
public struct ZmesSandbox: Sendable {
    public let directory: String
    public let configPath: String
    public let webSocketPort: Int
    public let adminPort: Int
    public var dataDirectory: String { directory + "/data" }
    public var certificatePath: String { dataDirectory + "/zmes-cert.pem" }
    public var keyPath: String { dataDirectory + "/zmes-key.pem" }

    /// - Parameters:
    ///   - authEnabled: false makes every login succeed without a bcrypt check
    ///     (the client still sends `auth` and waits for `Success`).
    ///   - pingInterval: seconds between server pings; large keeps them out of a timed run.
    ///   - loginCache: `auth.login_cache` (seconds a successful login is remembered; 0: none).
    ///   - maxLoginAttempts: `auth.max_failures` per client address. Every benchmark client comes from
    ///     127.0.0.1, where real phones come from many addresses; the per-user limit is off.
    public init(
        name: String, authEnabled: Bool = false, maxSessions: Int = 20_000, pingInterval: Double = 3_600, loginCache: Double = 300,
        maxLoginAttempts: Int = 100_000
    ) throws(BenchmarkError) {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        } catch {
            throw .launchFailed("cannot create \(directory): \(error)")
        }
        webSocketPort = try LoopbackSocket.freePort()
        adminPort = try LoopbackSocket.freePort()
        configPath = directory + "/zmes.yml"
        let yaml = """
            log:
              level: info
            server:
              address: 127.0.0.1
              port: \(webSocketPort)
              tls:
                enabled: true
              max_sessions: \(maxSessions)
              handshake_timeout: 60
              ping_interval: \(pingInterval)
            admin:
              address: 127.0.0.1
              port: \(adminPort)
            auth:
              enabled: \(authEnabled)
              timeout: 120
              login_cache: \(loginCache)
              max_failures: \(maxLoginAttempts)
              max_failures_per_user: 0
            store:
              path: \(directory)/data/zmes.sqlite
            push:
              enabled: false

            """
        guard FileManager.default.createFile(atPath: configPath, contents: Data(yaml.utf8)) else {
            throw .launchFailed("cannot write \(configPath)")
        }
    }

    /// `zmes user add NAME --password-stdin` on this sandbox's store (a bcrypt hash at zmes's cost).
    public func addUser(zmes: String, name: String, password: String) throws(BenchmarkError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zmes)
        process.arguments = ["user", "add", name, "--password-stdin", "--config", configPath]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            try input.fileHandleForWriting.write(contentsOf: Data((password + "\n").utf8))
            try input.fileHandleForWriting.close()
        } catch {
            throw .launchFailed("zmes user add: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw .launchFailed("zmes user add \(name) exited \(process.terminationStatus)") }
    }

    /// Starts `zmes serve`. With `ZMES_BENCH_WRAPPER` set (e.g. `valgrind --tool=massif`),
    /// zmes runs under that command, for profiles of the same run.
    public func launch(zmes: String, logName: String = "zmes.log") throws(BenchmarkError) -> ServerProcess {
        let arguments = ["serve", "--config", configPath]
        let wrapper = ProcessInfo.processInfo.environment["ZMES_BENCH_WRAPPER"]?.split(separator: " ").map(String.init) ?? []
        guard let tool = wrapper.first else {
            return try ServerProcess(executable: zmes, arguments: arguments, directory: directory, logPath: directory + "/" + logName)
        }
        return try ServerProcess(
            executable: tool, arguments: Array(wrapper.dropFirst()) + [zmes] + arguments, directory: directory, logPath: directory + "/" + logName)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls until the admin API's /healthz says the websocket listener is up.
public func waitForHealthy(adminPort: Int, server: ServerProcess, timeout: Double = 60) throws(BenchmarkError) {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let response = try? BlockingHTTP.get(port: adminPort, path: "/healthz"), response.status == 200,
            response.body.contains("\"websocket\":\"ok\"")
        {
            return
        }
        guard server.isRunning else { throw .notListening("exited: \(server.logTail)") }
        usleep(20_000)
    }
    throw .notListening("no healthy /healthz within \(Int(timeout)) s: \(server.logTail)")
}
