import Foundation
import ZmesBenchSupport

/// The step table and the `SUMMARY` lines a top-level script collects.
struct Report {
    let reference: LoadResult
    let steps: [Step]
    let devices: Int
    let endpoint: String
    let stepSeconds: Double
    let connections: Int

    func print() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        Swift.print("AlarmRate: zmes serve (release, subprocess), \(Site.monitors) monitors, \(devices) iOS devices (\(Site.devicesPerMonitor) per monitor,")
        Swift.print("interval 0, push enabled) -> \(endpoint); POST /api/v1/alarms, open loop, round-robin over the monitors,")
        Swift.print("\(Int(stepSeconds)) s per step, \(connections) keep-alive HTTP/1.1 connections; cores=\(cores) shared by zmes, the endpoint and the client")
        Swift.print("reference: the same client, closed loop, alarms on a monitor no device watches: \(format(reference.achievedRate, 0)) alarms/s,")
        Swift.print("p50 \(format(percentile(reference.latencies, 50) * 1000, 2)) ms")
        Swift.print("")
        Swift.print(row(["offered/s", "achieved/s", "p50 ms", "p99 ms", "pushes/s", "queued (1 s samples, end)", "grows", "drain s", "sustained"]))
        for step in steps {
            Swift.print(row([
                format(step.offered, 0), format(step.load.achievedRate, 1), format(step.p50 * 1000, 1), format(step.p99 * 1000, 1),
                format(step.pushesPerSecond, 0), step.queued.map(String.init).joined(separator: ","),
                step.queueGrows ? "yes" : "no", step.drainSeconds.map { format($0, 1) } ?? ">20",
                step.sustained ? "yes" : "no",
            ]))
        }
        Swift.print("")
        Swift.print("sustained: achieved >= 95% of offered, no failed request, p99 <= \(Int(AlarmRate.latencyLimit * 1000)) ms, and the outbox's queued")
        Swift.print("count not still growing at the end of the step (above one second of pushes and above its mid-step sample).")
        let best = steps.filter(\.sustained).map(\.offered).max() ?? 0
        Swift.print([
            "SUMMARY", "alarm_rate_sustained_\(Site.monitors)_monitors_\(devices)_devices", format(best, 0), "alarms/s",
            "closed_loop_unwatched_alarm_rate", format(reference.achievedRate, 0), format(best / reference.achievedRate, 3), "-", "INFO",
        ].joined(separator: "\t"))
        if let last = steps.last(where: \.sustained) {
            Swift.print([
                "SUMMARY", "pushes_per_second_at_\(Int(last.offered))_alarms_per_second", format(last.pushesPerSecond, 0), "pushes/s",
                "offered_pushes_per_second", format(last.offered * Double(Site.devicesPerMonitor), 0),
                format(last.pushesPerSecond / (last.offered * Double(Site.devicesPerMonitor)), 2), "-", "INFO",
            ].joined(separator: "\t"))
        }
    }

    private func row(_ cells: [String]) -> String {
        let widths = [9, 10, 8, 8, 9, 26, 5, 7, 9]
        return zip(cells, widths).map { cell, width in
            String(repeating: " ", count: max(0, width - cell.count)) + cell
        }.joined(separator: " ")
    }
}
