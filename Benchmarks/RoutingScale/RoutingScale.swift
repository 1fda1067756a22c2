import EventServer
import Foundation
import GRDB
import Logging
import Model
import PushDispatcher
import Storage
import ZmesBenchSupport

/// One size's measurements.
struct SizeResult {
    var devices: Int
    var storeBytes: Int
    /// What the router before the monitor index read per alarm: every device.
    var fullReadMs: Double
    var cases: [CaseResult]
}

struct CaseResult {
    var label: String
    var matching: Int
    var routeMs: Double
    var bareMs: Double
    var pushesQueued: Int
}

/// Builds a fresh store per size and routes alarms through the real `AlarmRouter`.
struct RoutingScale {
    let sizes: [Int]
    let alarms: Int

    func run() async throws {
        log("RoutingScale: sizes \(sizes), \(alarms) alarms per case (median), cores \(ProcessInfo.processInfo.activeProcessorCount)")
        var results: [SizeResult] = []
        for size in sizes {
            results.append(try await measure(size: size))
        }
        Report(results: results, alarms: alarms).print()
    }

    private func measure(size: Int) async throws -> SizeResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-routing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("zmes.sqlite").path
        let store = try SQLiteStore(path: path)
        let population = Population(count: size)
        let setupStart = now()
        try await population.register(in: store)
        let storeBytes = try checkpointedSize(path)
        log("  \(size) devices registered in \(format(now() - setupStart, 1)) s, store \(storeBytes) bytes")

        var logger = Logger(label: "RoutingScale")
        logger.logLevel = .warning
        let router = AlarmRouter.withoutSessions(
            store: store, auth: LocalAuthBackend(store: store), pushEnabled: true,
            selection: ProviderSelection(configured: [.apns]), logger: logger)
        var fullRead: [Double] = []
        for _ in 0..<3 {
            let start = now()
            _ = try await store.devices()
            fullRead.append((now() - start) * 1000)
        }
        let bare = try BareOutbox(path: path)
        var cases: [CaseResult] = []
        for (label, monitor, matching) in [
            ("fixed 100", Population.fixedMonitor, Population.fixedMatch),
            ("10%", Population.tenthMonitor, population.tenthMatch),
        ] {
            cases.append(try await measureCase(label: label, monitor: monitor, matching: matching, router: router, bare: bare))
        }
        return SizeResult(devices: size, storeBytes: storeBytes, fullReadMs: median(fullRead), cases: cases)
    }

    /// Alternates a routed alarm with the bare insert of as many outbox rows, so both see the same noise.
    private func measureCase(label: String, monitor: Int, matching: Int, router: AlarmRouter, bare: BareOutbox) async throws -> CaseResult {
        var routed: [Double] = []
        var bareTimes: [Double] = []
        var queued = 0
        for round in -2..<alarms {  // two warm-up rounds
            // A new event each time, so interval 0 lets every alarm notify every device.
            let alarm = Alarm(monitorId: monitor, monitorName: "Monitor \(monitor)", eventId: 1_000 + round, cause: "Motion")
            let start = now()
            let report = try await router.route(alarm)
            let routeTime = (now() - start) * 1000
            guard report.pushesQueued == matching else {
                throw BenchmarkFailure("monitor \(monitor): \(report.pushesQueued) pushes queued, expected \(matching)")
            }
            let bareTime = try bare.insert(rows: matching, alarm: alarm) * 1000
            if round >= 0 {
                routed.append(routeTime)
                bareTimes.append(bareTime)
                queued = report.pushesQueued
            }
        }
        return CaseResult(label: label, matching: matching, routeMs: median(routed), bareMs: median(bareTimes), pushesQueued: queued)
    }

    /// Main database plus WAL after a truncating checkpoint: what the devices cost on disk.
    private func checkpointedSize(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        func size(_ file: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        }
        return size(path) + size(path + "-wal")
    }
}
