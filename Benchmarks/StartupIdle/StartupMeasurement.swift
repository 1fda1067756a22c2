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

    /// Seconds from launch to exit, output discarded.
    static func launchToExit(_ executable: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = monotonicNanoseconds()
        try process.run()
        process.waitUntilExit()
        return Double(monotonicNanoseconds() - start) / 1e9
    }
}
