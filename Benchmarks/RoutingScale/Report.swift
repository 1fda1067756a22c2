import Foundation
import ZmesBenchSupport

/// The table and the `SUMMARY` lines a top-level script collects.
struct Report {
    let results: [SizeResult]
    let alarms: Int
    /// Matching devices fixed, devices 100× more: time may grow with the B-tree depth, not with the devices.
    static let growthTarget = 2.0

    func print() {
        Swift.print("RoutingScale: median of \(alarms) alarms per row, AlarmRouter.route with LocalAuthBackend, push enabled,")
        Swift.print("all devices iOS state=enabled interval 0 (jobs go to the outbox; no dispatcher), cores=\(ProcessInfo.processInfo.activeProcessorCount)")
        Swift.print("")
        Swift.print(row(["devices", "case", "matching", "ms/alarm", "µs/match", "×1k row", "bare ms", "×bare", "all-read ms", "bytes/dev"]))
        for result in results {
            for item in result.cases {
                let reference = referenceCase(item.label)
                Swift.print(row([
                    "\(result.devices)", item.label, "\(item.matching)", format(item.routeMs, 2),
                    format(item.routeMs * 1000 / Double(item.matching), 1),
                    reference.map { format(item.routeMs / $0.routeMs, 2) } ?? "-",
                    format(item.bareMs, 2), format(item.routeMs / item.bareMs, 1), format(result.fullReadMs, 1),
                    "\(result.storeBytes / result.devices)",
                ]))
            }
        }
        Swift.print("")
        Swift.print("×1k row: ms/alarm over the same case's 1,000-device row. bare: one GRDB transaction inserting as many")
        Swift.print("outbox rows, same file, interleaved with the routed alarms. all-read: store.devices(), what the router")
        Swift.print("read per alarm before the monitor index. bytes/dev: main db + WAL after a truncating checkpoint, before alarms.")
        summaries().forEach { Swift.print($0) }
    }

    private func referenceCase(_ label: String) -> CaseResult? {
        results.first?.cases.first { $0.label == label }
    }

    private func summaries() -> [String] {
        guard let first = results.first, let last = results.last, results.count > 1 else { return [] }
        var lines: [String] = []
        func line(_ fields: [String]) { lines.append((["SUMMARY"] + fields).joined(separator: "\t")) }
        for (index, item) in last.cases.enumerated() {
            let reference = first.cases[index]
            let perMatch = item.routeMs * 1000 / Double(item.matching)
            let referencePerMatch = reference.routeMs * 1000 / Double(reference.matching)
            let ratio = perMatch / referencePerMatch
            let name = item.label == "10%" ? "tenth" : "fixed100"
            line([
                "routing_\(name)_us_per_matching_device_\(last.devices)", format(perMatch, 2), "us",
                "routing_\(name)_us_per_matching_device_\(first.devices)", format(referencePerMatch, 2), format(ratio, 2),
                "<=\(format(Self.growthTarget, 1))", ratio <= Self.growthTarget ? "PASS" : "FAIL",
            ])
            line([
                "routing_\(name)_ms_per_alarm_\(last.devices)", format(item.routeMs, 3), "ms",
                "bare_outbox_insert_\(item.matching)_rows", format(item.bareMs, 3), format(item.routeMs / item.bareMs, 2),
                "-", "INFO",
            ])
        }
        line([
            "store_bytes_per_device_\(last.devices)", "\(last.storeBytes / last.devices)", "bytes",
            "store_bytes_per_device_\(first.devices)", "\(first.storeBytes / first.devices)",
            format(Double(last.storeBytes / last.devices) / Double(first.storeBytes / first.devices), 2), "-", "INFO",
        ])
        return lines
    }

    private func row(_ cells: [String]) -> String {
        let widths = [8, 10, 9, 9, 9, 8, 9, 7, 12, 10]
        return zip(cells, widths).map { cell, width in
            String(repeating: " ", count: max(0, width - cell.count)) + cell
        }.joined(separator: " ")
    }
}
