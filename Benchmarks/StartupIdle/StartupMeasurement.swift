import Foundation
import NIOConcurrencyHelpers
import ZmesBenchSupport

/// Launch-to-ready times of `zmes serve` on an existing store, beside launch-to-exit
/// of `zmes --help` (same binary, same dynamic loading, no server) and `/bin/true`.
struct StartupMeasurement {
    struct Result {
        /// Seconds from launch to a completed TLS handshake on the wss port, per launch.
        var tls: [Double]
        /// Seconds from launch to 200 from /healthz, per launch.
        var healthz: [Double]
        var help: [Double]
        var trueCommand: [Double]
    }

    var zmes: String
    var launches: Int

    func run() throws -> Result {
        let sandbox = try ZmesSandbox(name: "zmes-startup")
        defer { sandbox.remove() }
        // First start creates the store and the certificate; it is not timed.
        let first = try sandbox.launch(zmes: zmes, logName: "first.log")
        try waitForHealthy(adminPort: sandbox.adminPort, server: first)
        first.stop()
        let probe = try TLSProbe()
        defer { probe.shutdown() }
        var result = Result(tls: [], healthz: [], help: [], trueCommand: [])
        for launch in 0..<launches {
            let start = monotonicNanoseconds()
            let server = try sandbox.launch(zmes: zmes, logName: "launch-\(launch).log")
            defer { server.stop() }
            let healthz = NIOLockedValueBox<Double?>(nil)
            let poller = Thread {
                while server.isRunning {
                    if let response = try? BlockingHTTP.get(port: sandbox.adminPort, path: "/healthz"), response.status == 200 {
                        healthz.withLockedValue { $0 = Double(monotonicNanoseconds() - start) / 1e9 }
                        return
                    }
                    usleep(1_000)
                }
            }
            poller.start()
            var tls: Double?
            let deadline = start + 30_000_000_000
            while tls == nil, monotonicNanoseconds() < deadline, server.isRunning {
                if probe.handshakes(port: sandbox.webSocketPort) {
                    tls = Double(monotonicNanoseconds() - start) / 1e9
                } else {
                    usleep(1_000)
                }
            }
            guard let tls else { throw BenchmarkError.notListening("no TLS handshake: \(server.logTail)") }
            while healthz.withLockedValue({ $0 }) == nil, monotonicNanoseconds() < deadline { usleep(1_000) }
            guard let health = healthz.withLockedValue({ $0 }) else { throw BenchmarkError.notListening("no /healthz: \(server.logTail)") }
            result.tls.append(tls)
            result.healthz.append(health)
            progress("  launch \(launch + 1): TLS after \(format(tls * 1_000, 1)) ms, /healthz after \(format(health * 1_000, 1)) ms")
        }
        for _ in 0..<launches {
            result.help.append(try Self.launchToExit(zmes, ["--help"]))
            result.trueCommand.append(try Self.launchToExit("/bin/true", []))
        }
        return result
    }

    /// Seconds from launch to exit, output discarded. posix_spawn and waitpid directly:
    /// Foundation's `waitUntilExit` on Linux polls its run loop and would add ~50 ms.
    static func launchToExit(_ executable: String, _ arguments: [String]) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = monotonicNanoseconds()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchmarkError.launchFailed("\(executable): posix_spawn error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Double(monotonicNanoseconds() - start) / 1e9
    }
}
