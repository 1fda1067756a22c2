// FanOut: one alarm to N authenticated wss sessions, zmes against a bare NIO wss
// broadcast server and the least a Hummingbird websocket server keeps (the library
// zmes is built on), all measured in the same run. See RESULTS.md beside this file.
//
//   swift build -c release --product zmes --product FanOut
//   .build/release/FanOut [path/to/zmes] [--sessions 1000,10000] [--alarms 20]

import Foundation
import ZmesBenchSupport

var arguments = Array(CommandLine.arguments.dropFirst())
/// This executable re-launched as one of the reference servers (see `Target`).
if let mode = arguments.first, mode == "reference-server" || mode == "hummingbird-server" {
    guard arguments.count == 5, let port = Int(arguments[1]), let admin = Int(arguments[2]) else {
        progress("usage: FanOut \(mode) PORT ADMIN_PORT CERT KEY")
        exit(2)
    }
    ProcessStats.raiseOpenFileLimit()
    do {
        if mode == "reference-server" {
            try ReferenceServer.run(port: port, adminPort: admin, certificate: arguments[3], key: arguments[4])
        } else {
            try await HummingbirdReferenceServer.run(port: port, adminPort: admin, certificate: arguments[3], key: arguments[4])
        }
    } catch {
        progress("\(mode) failed: \(error)")
        exit(1)
    }
    exit(0)
}

let sessionCounts = (takeOption("--sessions", from: &arguments) ?? "1000,10000").split(separator: ",").compactMap { Int($0) }
let alarms = takeOption("--alarms", from: &arguments).flatMap(Int.init) ?? 20
let zmes = arguments.first ?? ".build/release/zmes"
guard FileManager.default.isExecutableFile(atPath: zmes), !sessionCounts.isEmpty, alarms > 0 else {
    progress("usage: FanOut [path/to/zmes] [--sessions 1000,10000] [--alarms 20]   (no executable at \(zmes)?)")
    exit(2)
}

let fileLimit = ProcessStats.raiseOpenFileLimit()
let cores = ProcessInfo.processInfo.activeProcessorCount
progress("FanOut: zmes=\(zmes) sessions=\(sessionCounts) alarms=\(alarms) cores=\(cores) open-file limit=\(fileLimit)")

var results: [FanOutResults] = []
do {
    for sessions in sessionCounts {
        progress("N=\(sessions): zmes")
        let zmesRound = FanOutRound(target: .zmes(executable: zmes), sessions: sessions, alarms: alarms)
        // The reference needs a certificate: zmes's own, created by a throwaway first start.
        let certificates = try ZmesSandbox(name: "zmes-fanout-cert")
        defer { certificates.remove() }
        let first = try certificates.launch(zmes: zmes)
        try waitForHealthy(adminPort: certificates.adminPort, server: first)
        first.stop()
        let zmesResult = try zmesRound.run()
        progress("N=\(sessions): bare NIO wss reference")
        let referenceResult = try FanOutRound(
            target: .reference(certificate: certificates.certificatePath, key: certificates.keyPath), sessions: sessions, alarms: alarms
        ).run()
        progress("N=\(sessions): Hummingbird wss floor")
        let hummingbirdResult = try FanOutRound(
            target: .hummingbird(certificate: certificates.certificatePath, key: certificates.keyPath), sessions: sessions, alarms: alarms
        ).run()
        results.append(FanOutResults(zmes: zmesResult, reference: referenceResult, hummingbird: hummingbirdResult))
    }
} catch {
    progress("FanOut failed: \(error)")
    ChildProcesses.killAll()
    exit(1)
}

FanOutReport(results: results, alarms: alarms, cores: cores).print()
