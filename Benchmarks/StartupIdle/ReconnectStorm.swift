import Foundation
import ZmesBenchSupport

/// After a restart every phone logs in again at once. `sessions` clients open together (TLS,
/// upgrade, `auth` → `Success`) against `zmes serve` with auth on and one local user (bcrypt at
/// zmes's cost, 10), timed from the first connect to the last `Success`.
///
/// Run twice: with `auth.login_cache` (the default) and, as the reference, with it off, where
/// every login is a bcrypt check (fewer sessions then: each costs tens of milliseconds of a core).
struct ReconnectStorm {
    var zmes: String
    var sessions: Int
    var loginCache: Double
    /// Seconds from the first connect to the last `Success`, once run.
    private(set) var seconds = Double.nan

    mutating func run() throws {
        let sandbox = try ZmesSandbox(name: "zmes-storm", authEnabled: true, loginCache: loginCache)
        defer { sandbox.remove() }
        try sandbox.addUser(zmes: zmes, name: "bench", password: "bench")
        let server = try sandbox.launch(zmes: zmes)
        defer { server.stop() }
        try waitForHealthy(adminPort: sandbox.adminPort, server: server)
        progress("  \(sessions) sessions logging in at once, auth.login_cache: \(format(loginCache, 0))")
        let fleet = try ClientFleet(clients: sessions, alarms: 1, alarmBase: 0, monitor: 1)
        defer { fleet.shutdown() }
        let start = now()
        try fleet.open(count: sessions, port: sandbox.webSocketPort, window: sessions)
        seconds = now() - start
        _ = try awaitAuthenticatedSessions(sessions, adminPort: sandbox.adminPort)
    }
}
