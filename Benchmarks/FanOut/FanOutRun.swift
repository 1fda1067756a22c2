import Foundation
import ZmesBenchSupport

/// Which server one fan-out round talks to.
enum Target {
    case zmes(executable: String)
    /// This executable again, in `reference-server` mode, with zmes's certificate.
    case reference(certificate: String, key: String)
    /// This executable again, in `hummingbird-server` mode: the library floor.
    case hummingbird(certificate: String, key: String)

    var name: String {
        switch self {
        case .zmes: return "zmes"
        case .reference: return "bare NIO wss"
        case .hummingbird: return "Hummingbird wss floor"
        }
    }
}

/// One session count's three rounds.
struct FanOutResults {
    var zmes: FanOutResult
    var reference: FanOutResult
    var hummingbird: FanOutResult

    /// In the order the tables show them.
    var rows: [FanOutResult] { [zmes, reference, hummingbird] }
}

/// The figures of one round: one server process, N sessions, K timed alarms.
struct FanOutResult {
    var target: String
    var sessions: Int
    var residentBeforeKiB: Double
    var residentIdleKiB: Double
    var setupSeconds: Double
    /// Per timed alarm: ms from just before the POST to the last client's receipt.
    var lastClientMs: [Double]
    /// Every (alarm, client) pair: ms from just before the POST to that client's receipt.
    var perClientMs: [Double]
    /// Per timed alarm: ms until the POST's response arrived.
    var ingestMs: [Double]
    var serverThreads: Int
    /// Server CPU (utime+stime) per timed alarm, in ms: less sensitive to a busy machine than wall time.
    var serverCPUPerAlarmMs: Double

    var kibPerSession: Double { (residentIdleKiB - residentBeforeKiB) / Double(sessions) }
}

/// One round: launch the server, open N sessions, measure idle memory, time K alarms.
struct FanOutRound {
    var target: Target
    var sessions: Int
    var alarms: Int
    var monitor = 1

    func run() throws -> FanOutResult {
        let sandbox = try ZmesSandbox(name: "zmes-fanout-\(sessions)", maxSessions: sessions * 2)
        defer { sandbox.remove() }
        let server: ServerProcess
        switch target {
        case .zmes(let executable):
            server = try sandbox.launch(zmes: executable)
        case .reference(let certificate, let key):
            server = try relaunch(as: "reference-server", certificate: certificate, key: key, in: sandbox)
        case .hummingbird(let certificate, let key):
            server = try relaunch(as: "hummingbird-server", certificate: certificate, key: key, in: sandbox)
        }
        defer { server.stop() }
        try waitForHealthy(adminPort: sandbox.adminPort, server: server)
        Thread.sleep(forTimeInterval: 1)
        let before = ProcessStats.residentKiB(server.pid) ?? .nan

        // One warm-up alarm (index 0), then `alarms` timed ones; event ids are unique per round.
        let alarmBase = Int(Date().timeIntervalSince1970) % 1_000_000 * 1_000
        let fleet = try ClientFleet(clients: sessions, alarms: alarms + 1, alarmBase: alarmBase, monitor: monitor)
        defer { fleet.shutdown() }
        let setupStart = monotonicNanoseconds()
        try fleet.open(count: sessions, port: sandbox.webSocketPort)
        let setupSeconds = Double(monotonicNanoseconds() - setupStart) / 1e9
        progress("  \(target.name): \(sessions) sessions logged in after \(format(setupSeconds, 1)) s")
        let health = try awaitAuthenticatedSessions(sessions, adminPort: sandbox.adminPort)
        guard health.contains("\"authenticatedSessions\":\(sessions)") else {
            throw BenchmarkError.sessionsFailed(opened: fleet.liveSessions, wanted: sessions, reason: "server reports \(health)")
        }
        Thread.sleep(forTimeInterval: 2)  // let handshake garbage settle; the sessions are idle now
        let idle = ProcessStats.residentKiB(server.pid) ?? .nan
        let threads = ProcessStats.threads(server.pid) ?? 0

        var lastClient: [Double] = []
        var perClient: [Double] = []
        var ingest: [Double] = []
        var cpuBefore = 0.0
        for index in 0...alarms {
            if index == 1 { cpuBefore = ProcessStats.cpuSeconds(server.pid) ?? .nan }
            let body = #"{"monitorId":\#(monitor),"eventId":\#(alarmBase + index),"name":"Bench","cause":"Motion","kind":"start"}"#
            let start = monotonicNanoseconds()
            let response = try BlockingHTTP.post(port: sandbox.adminPort, path: "/api/v1/alarms", json: body)
            let answered = monotonicNanoseconds()
            guard response.status == 202 else { throw BenchmarkError.http("alarm ingest answered \(response.status): \(response.body)") }
            guard fleet.receipts.waitForAll(alarm: index, timeout: 30) else {
                throw BenchmarkError.alarmNotDelivered(index: index, received: fleet.receipts.received(alarm: index), wanted: sessions)
            }
            if index > 0 {
                let times = fleet.receipts.times(alarm: index).map { Double($0 - start) / 1e6 }
                lastClient.append(times.max() ?? .nan)
                perClient.append(contentsOf: times)
                ingest.append(Double(answered - start) / 1e6)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let cpuPerAlarm = ((ProcessStats.cpuSeconds(server.pid) ?? .nan) - cpuBefore) / Double(alarms) * 1_000
        guard fleet.liveSessions == sessions else {
            throw BenchmarkError.sessionsFailed(opened: fleet.liveSessions, wanted: sessions, reason: "sessions dropped during the run")
        }
        return FanOutResult(
            target: target.name, sessions: sessions, residentBeforeKiB: before, residentIdleKiB: idle, setupSeconds: setupSeconds,
            lastClientMs: lastClient, perClientMs: perClient, ingestMs: ingest, serverThreads: threads,
            serverCPUPerAlarmMs: cpuPerAlarm)
    }

    /// This executable again, as one of the reference servers, on the sandbox's ports.
    private func relaunch(as mode: String, certificate: String, key: String, in sandbox: ZmesSandbox) throws -> ServerProcess {
        try ServerProcess(
            executable: CommandLine.arguments[0],
            arguments: [mode, "\(sandbox.webSocketPort)", "\(sandbox.adminPort)", certificate, key],
            directory: sandbox.directory, logPath: sandbox.directory + "/\(mode).log")
    }
}
