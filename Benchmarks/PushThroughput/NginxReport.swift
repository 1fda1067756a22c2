import Foundation
import ZmesBenchSupport
import ZmesTestSupport

/// The tables and SUMMARY lines of the rows against nginx.
struct NginxReport {
    let n: Int
    let bareRounds: Int
    let streams: Int
    let bare: [BareResult]
    let serve: [ServeRun]
    let notes: [String]

    var bareRate: Double { Double(n) / median(bare.map(\.seconds)) }

    func print() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        Swift.print("")
        Swift.print(
            "PushThroughput against nginx: N=\(n), cores=\(cores); nginx 1.22 (\(Nginx.executable)), 1 worker, HTTP/2 over TLS on loopback, http2_max_concurrent_streams \(streams), `return 200`; bare loop median of \(bareRounds), zmes serve rows 1 round each"
        )
        var table = [["name", "N", "seconds", "requests/s", "ratio to bare", "arrived (nginx log)", "resent"]]
        table.append([
            "bare libcurl multi loop (nginx)", String(n), format(median(bare.map(\.seconds)), 3), format(bareRate, 0), "1.00",
            bare.map { $0.arrived.map(String.init) ?? "?" }.joined(separator: ", "), "0",
        ])
        for run in serve {
            table.append([run.name, String(run.devices), format(run.seconds, 3), format(run.rate, 0), format(run.rate / bareRate, 2), String(run.logged), String(run.resends)])
        }
        printTable(table)
        Swift.print("bare loop per-round seconds: " + bare.map { format($0.seconds, 3) }.joined(separator: ", "))
        Swift.print(
            "bare loop per round, transfers that libcurl ended in error 92 (CURLE_HTTP2_STREAM) after their 200 / in another error after their 200 / in an error without a 200: "
                + bare.map { "\($0.streamErrorsAfter200) / \($0.otherErrorsAfter200) / \($0.transportErrors)" }.joined(separator: ", "))
        for note in notes { Swift.print("note: \(note)") }

        if !serve.isEmpty {
            printInstances()
        }
        printSummary()
    }

    /// Each configuration against one instance on SQLite, with the CPU seconds every process used
    /// from the alarm until nginx had every push: where the two cores went.
    private func printInstances() {
        guard let reference = serve.first else { return }
        Swift.print("")
        Swift.print("Instances: the same \(reference.devices) devices and one alarm; CPU seconds per process from the alarm to the last push (/proc, user + system)")
        var table = [["configuration", "seconds", "first push after s", "pushes/s", "ratio to SQLite x1", "resent", "CPU s zmes (each)", "CPU s PostgreSQL", "CPU s nginx", "CPU s bench", "cores busy", "CPU µs/push"]]
        for run in serve {
            table.append([
                run.name, format(run.seconds, 3), format(run.firstPush, 3), format(run.rate, 0), format(run.rate / reference.rate, 2), String(run.resends),
                format(run.cpu.zmes.reduce(0, +), 2) + (run.cpu.zmes.count > 1 ? " (" + run.cpu.zmes.map { format($0, 2) }.joined(separator: " + ") + ")" : ""),
                run.cpu.postgres.map { format($0, 2) } ?? "-", format(run.cpu.nginx, 2), format(run.cpu.bench, 2),
                format(run.cpu.total / run.seconds, 2), format(run.cpu.total / Double(run.devices) * 1e6, 0),
            ])
        }
        printTable(table)
        Swift.print(
            "setup, not measured: writing \(reference.devices) devices into the store (once for the PostgreSQL rows, which copy a template database): "
                + serve.map { "\($0.name) \(format($0.registration, 2)) s" }.joined(separator: "; "))
        Swift.print(
            "outbox after each run: "
                + serve.map { run in "\(run.name): " + run.outbox.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: " ") }.joined(separator: "; "))
    }

    private func printSummary() {
        guard !bare.isEmpty else { return }
        summary(
            "bare loop on nginx: transfers ended in error 92 after their 200", String(median(bare.map { Double($0.streamErrorsAfter200) })), "transfers",
            "N", String(n), "n/a", "info", "INFO")
        guard let sqlite = serve.first else { return }
        let ratio = sqlite.rate / bareRate
        summary(
            "push throughput against nginx (zmes serve, SQLite)", format(sqlite.rate, 0), "pushes/s", "bare libcurl multi loop on nginx", format(bareRate, 0),
            format(ratio, 2), ">= 0.70", ratio >= 0.7 ? "PASS" : "FAIL")
        for run in serve.dropFirst() {
            summary(
                "push throughput against nginx (\(run.name.replacingOccurrences(of: "zmes serve, ", with: "")))", format(run.rate, 0), "pushes/s",
                "zmes serve, SQLite, 1 instance", format(sqlite.rate, 0), format(run.rate / sqlite.rate, 2), "info", "INFO")
        }
        let resends = serve.map(\.resends).reduce(0, +)
        summary(
            "pushes sent more than once (zmes serve rows on nginx)", String(resends), "pushes", "pushes sent", String(serve.map(\.logged).reduce(0, +)),
            "n/a", "0", resends == 0 ? "PASS" : "FAIL")
    }
}
