import Foundation
import ZmesBenchSupport

/// The tables (markdown) and SUMMARY lines of a start-up and idle run.
struct StartupIdleReport {
    var startup: StartupMeasurement.Result
    var idle: IdleMeasurement.Result
    var storm: ReconnectStorm
    /// The same storm with `auth.login_cache: 0` (a bcrypt check per login), on fewer sessions.
    var stormReference: ReconnectStorm
    var cores: Int
    var launches: Int

    /// "Near zero": at most 1% of one core with the sessions open.
    static let idleTargetPercent = 1.0
    /// Issue 17: 1,000 sessions logging in at once, all authenticated within 2 s.
    static let stormTargetSeconds = 2.0

    func print() {
        let tls = median(startup.tls) * 1_000
        let healthz = median(startup.healthz) * 1_000
        let help = median(startup.help) * 1_000
        let trueCommand = median(startup.trueCommand) * 1_000
        Swift.print("cores: \(cores); medians of \(launches) launches, existing store, times in ms from launch")
        Swift.print("")
        Swift.print("| what | median ms | min ms | max ms | ratio to `zmes --help` |")
        Swift.print("|---|---:|---:|---:|---:|")
        for (name, values) in [
            ("zmes serve: wss completes a TLS handshake", startup.tls), ("zmes serve: /healthz answers 200", startup.healthz),
            ("zmes --help: launch to exit (reference)", startup.help), ("/bin/true: launch to exit", startup.trueCommand),
        ] {
            Swift.print(
                "| \(name) | \(format(median(values) * 1_000, 1)) | \(format((values.min() ?? .nan) * 1_000, 1)) | "
                    + "\(format((values.max() ?? .nan) * 1_000, 1)) | \(format(median(values) * 1_000 / help, 1)) |")
        }
        Swift.print("")
        Swift.print("| zmes serve, idle for \(Int(idle.seconds)) s | CPU % of one core | threads |")
        Swift.print("|---|---:|---:|")
        Swift.print("| no sessions (reference) | \(format(idle.emptyPercent, 3)) | |")
        Swift.print("| \(idle.sessions) authenticated sessions | \(format(idle.sessionsPercent, 3)) | \(idle.threads) |")
        Swift.print("")
        Swift.print("| reconnect storm: sessions logging in at once, one local user (bcrypt cost 10) | seconds to the last Success | ms per session |")
        Swift.print("|---|---:|---:|")
        for run in [storm, stormReference] {
            Swift.print(
                "| \(run.sessions) sessions, auth.login_cache: \(format(run.loginCache, 0)) | \(format(run.seconds, 2)) | "
                    + "\(format(run.seconds * 1_000 / Double(run.sessions), 2)) |")
        }
        Swift.print("")
        let lines = [
            SummaryLine(
                name: "startup_to_wss_tls", value: tls, unit: "ms", referenceName: "zmes_help_launch_to_exit", referenceValue: help,
                target: "-", verdict: .info),
            SummaryLine(
                name: "startup_to_healthz", value: healthz, unit: "ms", referenceName: "zmes_help_launch_to_exit", referenceValue: help,
                target: "-", verdict: .info),
            SummaryLine(
                name: "startup_bin_true", value: trueCommand, unit: "ms", referenceName: "zmes_help_launch_to_exit", referenceValue: help,
                target: "-", verdict: .info),
            SummaryLine(
                name: "idle_cpu_\(idle.sessions)_sessions", value: idle.sessionsPercent, unit: "%core", referenceName: "idle_cpu_0_sessions",
                referenceValue: idle.emptyPercent, target: "<=\(format(Self.idleTargetPercent, 0))%core",
                verdict: idle.sessionsPercent <= Self.idleTargetPercent ? .pass : .fail),
            SummaryLine(
                name: "reconnect_storm_\(storm.sessions)_sessions_all_authenticated", value: storm.seconds, unit: "s",
                referenceName: "reconnect_storm_\(stormReference.sessions)_sessions_login_cache_0", referenceValue: stormReference.seconds,
                target: "<=\(format(Self.stormTargetSeconds, 0))s", verdict: storm.seconds <= Self.stormTargetSeconds ? .pass : .fail),
        ]
        for line in lines { Swift.print(line.text) }
    }
}
