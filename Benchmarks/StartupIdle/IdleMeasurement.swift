import Foundation
import ZmesBenchSupport

/// CPU used by one `zmes serve` process while nothing happens: first with no
/// session (the reference), then with N idle authenticated sessions, over the same time.
struct IdleMeasurement {
    struct Result {
        /// Percent of one core, with no sessions and with `sessions` idle sessions.
        var emptyPercent: Double
        var sessionsPercent: Double
        var sessions: Int
        var seconds: Double
        var threads: Int
    }

    var zmes: String
    var sessions: Int
    var seconds: Double

    func run() throws -> Result {
        // The default ping interval (30 s): answering pings is part of what idle sessions cost.
        let sandbox = try ZmesSandbox(name: "zmes-idle", pingInterval: 30)
        defer { sandbox.remove() }
        let server = try sandbox.launch(zmes: zmes)
        defer { server.stop() }
        try waitForHealthy(adminPort: sandbox.adminPort, server: server)
        Thread.sleep(forTimeInterval: 2)
        progress("  idle with no sessions for \(Int(seconds)) s")
        let empty = try cpuPercent(server, over: seconds)
        let fleet = try ClientFleet(clients: sessions, alarms: 1, alarmBase: 0, monitor: 1)
        defer { fleet.shutdown() }
        try fleet.open(count: sessions, port: sandbox.webSocketPort)
        let health = try awaitAuthenticatedSessions(sessions, adminPort: sandbox.adminPort)
        guard health.contains("\"authenticatedSessions\":\(sessions)") else {
            throw BenchmarkError.sessionsFailed(opened: fleet.liveSessions, wanted: sessions, reason: "server reports \(health)")
        }
        Thread.sleep(forTimeInterval: 2)
        progress("  idle with \(sessions) sessions for \(Int(seconds)) s")
        let busy = try cpuPercent(server, over: seconds)
        guard fleet.liveSessions == sessions else {
            throw BenchmarkError.sessionsFailed(opened: fleet.liveSessions, wanted: sessions, reason: "sessions dropped while idle")
        }
        return Result(emptyPercent: empty, sessionsPercent: busy, sessions: sessions, seconds: seconds, threads: ProcessStats.threads(server.pid) ?? 0)
    }

    /// The process's utime+stime over `seconds` of wall time, as percent of one core.
    private func cpuPercent(_ server: ServerProcess, over seconds: Double) throws -> Double {
        guard let before = ProcessStats.cpuSeconds(server.pid) else { throw BenchmarkError.notListening("server exited") }
        let start = monotonicNanoseconds()
        Thread.sleep(forTimeInterval: seconds)
        guard let after = ProcessStats.cpuSeconds(server.pid) else { throw BenchmarkError.notListening("server exited") }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        return (after - before) / elapsed * 100
    }
}
