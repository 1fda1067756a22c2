// StartupIdle: how long `zmes serve` takes to accept wss (and answer /healthz), and
// how much CPU it burns with 1,000 idle authenticated sessions, and how long a reconnect storm
// (every phone logging in at once after a restart) takes to be authenticated. See RESULTS.md.
//
//   swift build -c release --product zmes --product StartupIdle
//   .build/release/StartupIdle [path/to/zmes] [--launches 5] [--idle-seconds 25] [--sessions 1000]
//                              [--storm 1000] [--storm-reference 200]

import Foundation
import ZmesBenchSupport

var arguments = Array(CommandLine.arguments.dropFirst())
let launches = takeOption("--launches", from: &arguments).flatMap(Int.init) ?? 5
let idleSeconds = takeOption("--idle-seconds", from: &arguments).flatMap(Double.init) ?? 25
let sessions = takeOption("--sessions", from: &arguments).flatMap(Int.init) ?? 1_000
let storm = takeOption("--storm", from: &arguments).flatMap(Int.init) ?? 1_000
let stormReference = takeOption("--storm-reference", from: &arguments).flatMap(Int.init) ?? 200
let zmes = arguments.first ?? ".build/release/zmes"
guard FileManager.default.isExecutableFile(atPath: zmes), launches > 0, idleSeconds > 0, sessions > 0, storm > 0, stormReference > 0 else {
    progress("usage: StartupIdle [path/to/zmes] [--launches 5] [--idle-seconds 25] [--sessions 1000] [--storm 1000] [--storm-reference 200]   (no executable at \(zmes)?)")
    exit(2)
}
ProcessStats.raiseOpenFileLimit()
let cores = ProcessInfo.processInfo.activeProcessorCount
progress("StartupIdle: zmes=\(zmes) launches=\(launches) idle=\(idleSeconds)s sessions=\(sessions) cores=\(cores)")

do {
    let startup = try StartupMeasurement(zmes: zmes, launches: launches).run()
    let idle = try IdleMeasurement(zmes: zmes, sessions: sessions, seconds: idleSeconds).run()
    var cached = ReconnectStorm(zmes: zmes, sessions: storm, loginCache: 300)
    try cached.run()
    var uncached = ReconnectStorm(zmes: zmes, sessions: stormReference, loginCache: 0)
    try uncached.run()
    StartupIdleReport(startup: startup, idle: idle, storm: cached, stormReference: uncached, cores: cores, launches: launches).print()
} catch {
    progress("StartupIdle failed: \(error)")
    ChildProcesses.killAll()
    exit(1)
}
