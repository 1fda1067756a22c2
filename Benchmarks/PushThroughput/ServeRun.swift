import Foundation
import Model
import ZmesBenchSupport
import ZmesTestSupport

/// What one configuration of `zmes serve` did with one alarm to `devices` devices, as nginx's
/// access log tells it: the log is the truth for what arrived, and when.
struct ServeRun {
    var name: String
    var instances: Int
    /// From the alarm's POST to the last request nginx logged once every device had its push.
    var seconds: Double
    /// From the alarm's POST to the first request nginx logged: routing the alarm and the first claim.
    var firstPush: Double
    var devices: Int
    /// POSTs nginx logged in all, and how many of them were a device's second or later push.
    var logged: Int
    var resends: Int
    var non200: Int
    var outbox: [PushJobState: Int]
    /// Seconds spent writing the devices into the store (not measured).
    var registration: Double
    var cpu: CPUUse

    var rate: Double { Double(devices) / seconds }
}

/// CPU seconds each process used during a measurement (/proc, user + system).
struct CPUUse {
    var zmes: [Double]
    /// The postmaster and every session it forked; nil on SQLite.
    var postgres: Double?
    var nginx: Double
    /// This benchmark process (posting the alarm, polling the access log).
    var bench: Double

    var total: Double { zmes.reduce(0, +) + (postgres ?? 0) + nginx + bench }
}

/// A reading of the same processes' CPU counters, to subtract from a later one.
struct CPUReading {
    var zmes: [Double]
    var postgres: Double?
    var nginx: Double
    var bench: Double

    init(zmes pids: [pid_t], postgres: pid_t?, nginx: pid_t) {
        zmes = pids.map { ProcessStats.cpuSeconds($0) ?? 0 }
        self.postgres = postgres.flatMap { ProcessStats.cpuSecondsWithChildren($0) }
        self.nginx = ProcessStats.cpuSeconds(nginx) ?? 0
        bench = ProcessStats.cpuSeconds(getpid()) ?? 0
    }

    static func - (after: CPUReading, before: CPUReading) -> CPUUse {
        CPUUse(
            zmes: zip(after.zmes, before.zmes).map { $0 - $1 },
            postgres: after.postgres.flatMap { a in before.postgres.map { a - $0 } }, nginx: after.nginx - before.nginx,
            bench: after.bench - before.bench)
    }
}

extension ServeCluster {
    /// Sends one alarm and times it until nginx has logged a push for every device; then waits
    /// for the outbox to settle (a retry may send a push again after the last device got its
    /// first) before it counts resends, and stops the instances.
    func measure(name: String, devices: Int, nginx: Nginx, postgresPID: pid_t?) async throws -> ServeRun {
        try nginx.truncateAccessLog()
        let pids = servers.map(\.pid)
        let before = CPUReading(zmes: pids, postgres: postgresPID, nginx: nginx.pid)
        let start = Date().timeIntervalSince1970
        for monitor in 1...Self.alarms { try alarm(monitor: monitor, event: monitor) }
        // Where the time goes: routing (until the POST's answer) against draining the outbox after it.
        let routed = Date().timeIntervalSince1970 - start
        log("\(name): the alarm POST answered after \(format(routed, 3)) s (routing: every device's push queued); nginx had logged about \(nginx.accessLogBytes / 99) pushes by then")
        // Each line is at least "POST /3/device/<64 hex> 200 <10 digits>.<3 digits>\n": 99 bytes. Until the
        // log is that long, a stat is all the polling costs; after, the log is read at most 10 times a second.
        let deadline = now() + 300
        var end: Double?
        var first: Double?
        while end == nil {
            guard now() < deadline else { throw BenchmarkFailure("\(name): not every device's push reached nginx within 300 s") }
            if nginx.accessLogBytes >= devices * 99 {
                let log = try nginx.accessLog()
                if Set(log.lazy.filter { $0.method == "POST" }.map(\.uri)).count >= devices {
                    end = log.map(\.time).max()
                    first = log.map(\.time).min()
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let cpu = CPUReading(zmes: pids, postgres: postgresPID, nginx: nginx.pid) - before

        var outbox = try await outboxCounts()
        let settle = now() + 60
        while (outbox[.queued] ?? 0) + (outbox[.retrying] ?? 0) > 0, now() < settle {
            try await Task.sleep(for: .milliseconds(250))
            outbox = try await outboxCounts()
        }
        stop()

        var perDevice: [Substring: Int] = [:]
        var non200 = 0
        let log = try nginx.accessLog()
        for request in log where request.method == "POST" {
            perDevice[request.uri, default: 0] += 1
            if request.status != 200 { non200 += 1 }
        }
        guard perDevice.count == devices else {
            throw BenchmarkFailure("\(name): nginx logged pushes for \(perDevice.count) devices, expected \(devices)")
        }
        let logged = perDevice.values.reduce(0, +)
        return ServeRun(
            name: name, instances: servers.count, seconds: (end ?? now()) - start, firstPush: (first ?? start) - start, devices: devices, logged: logged, resends: logged - devices,
            non200: non200, outbox: outbox, registration: registration, cpu: cpu)
    }
}
