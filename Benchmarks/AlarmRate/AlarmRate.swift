import Foundation
import ZmesBenchSupport

/// One offered rate's outcome.
struct Step {
    var offered: Double
    var load: LoadResult
    var pushesPerSecond: Double
    /// The outbox's queued jobs, sampled about once a second while the step ran, then at its end.
    var queued: [Int]
    var drainSeconds: Double?

    var p50: Double { percentile(load.latencies, 50) }
    var p99: Double { percentile(load.latencies, 99) }

    /// Pushes offered in one second: the backlog a healthy server may carry.
    var oneSecondOfPushes: Int { Int(offered) * Site.devicesPerMonitor }

    /// Still growing at the end: more than a second of pushes queued, and more than half-way through.
    var queueGrows: Bool {
        guard let last = queued.last else { return false }
        return last > oneSecondOfPushes && last > queued[queued.count / 2]
    }

    var sustained: Bool {
        load.failed == 0 && load.achievedRate >= 0.95 * offered && !queueGrows && p99 <= AlarmRate.latencyLimit
    }
}

/// Steps the offered alarm rate up until zmes stops keeping up.
struct AlarmRate {
    let zmesPath: String
    let stepSeconds: Double
    let rates: [Double]
    /// Handles (keep-alive connections) the ingest client keeps.
    let connections = 32
    /// Above this p99 ingest latency a rate is not sustained, whatever the queue does.
    static let latencyLimit = 0.5

    func run() async throws {
        let site = try await Site(zmesPath: zmesPath)
        do {
            try await measure(site)
        } catch {
            await site.shutdown()
            throw error
        }
        await site.shutdown()
    }

    private func measure(_ site: Site) async throws {
        log("AlarmRate: zmes (pid \(site.zmesPID)) at \(site.adminURL), pushing to \(site.endpoint.name), \(Site.monitors) monitors, \(site.devices) devices, \(stepSeconds) s per step, cores \(ProcessInfo.processInfo.activeProcessorCount)")
        let client = OpenLoopClient(url: site.adminURL + "/api/v1/alarms", connections: connections)
        var event = 1_000_000
        // Warm-up, then the reference: the same client, closed loop, an alarm on a monitor no device watches.
        _ = await load(client, count: 500, rate: nil, monitor: { _ in 999 }, firstEvent: &event)
        let reference = await load(client, count: 3_000, rate: nil, monitor: { _ in 999 }, firstEvent: &event)
        log("reference (unwatched monitor, closed loop): \(format(reference.achievedRate, 0)) alarms/s")
        try await drain(site, timeout: 30)

        var steps: [Step] = []
        for rate in rates {
            let step = try await runStep(site, client, rate: rate, firstEvent: &event)
            steps.append(step)
            log("  \(Int(rate))/s: achieved \(format(step.load.achievedRate, 1)), p99 \(format(step.p99 * 1000, 1)) ms, queued \(step.queued), pushes \(format(step.pushesPerSecond, 0))/s")
            if !step.sustained { break }
        }
        Report(reference: reference, steps: steps, devices: site.devices, endpoint: site.endpoint.name, stepSeconds: stepSeconds, connections: connections).print()
    }

    private func runStep(_ site: Site, _ client: OpenLoopClient, rate: Double, firstEvent event: inout Int) async throws -> Step {
        try await site.endpoint.clear()
        let count = Int(rate * stepSeconds)
        let sampler = QueueSampler(metricsURL: site.adminURL + "/metrics")
        let sampling = Task { await sampler.sample(every: 1.0) }
        let start = now()
        let result = await load(client, count: count, rate: rate, monitor: { 1 + $0 % Site.monitors }, firstEvent: &event)
        let delivered = try await site.endpoint.received()
        let pushesPerSecond = Double(delivered) / (now() - start)
        sampling.cancel()
        var queued = await sampling.value
        let metricsURL = site.adminURL + "/metrics"
        queued.append(await onThread("metrics") { queuedJobs(metricsURL: metricsURL) } ?? -1)
        var step = Step(offered: rate, load: result, pushesPerSecond: pushesPerSecond, queued: queued)
        step.drainSeconds = try await drain(site, timeout: 20)
        return step
    }

    private func load(_ client: OpenLoopClient, count: Int, rate: Double?, monitor: @escaping @Sendable (Int) -> Int, firstEvent: inout Int) async -> LoadResult {
        let base = firstEvent
        firstEvent += count
        return await onThread("ingest") {
            client.run(count: count, rate: rate) { index in
                let id = monitor(index)
                return #"{"monitorId":\#(id),"eventId":\#(base + index),"name":"Monitor \#(id)","cause":"Motion"}"#
            }
        }
    }

    /// Waits until nothing is queued; returns how long that took, or nil past `timeout`.
    @discardableResult
    private func drain(_ site: Site, timeout: Double) async throws -> Double? {
        let start = now()
        let metricsURL = site.adminURL + "/metrics"
        while now() - start < timeout {
            if let queued = await onThread("metrics", { queuedJobs(metricsURL: metricsURL) }), queued == 0 { return now() - start }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

/// `zmes_outbox_jobs{state="queued"}` from `GET /metrics`.
func queuedJobs(metricsURL: String) -> Int? {
    guard let text = httpGet(metricsURL),
        let match = text.firstMatch(of: /zmes_outbox_jobs\{state="queued"\} ([0-9.e+]+)/)
    else { return nil }
    return Double(match.1).map { Int($0) }
}

/// Reads the queued count about once a period until cancelled.
struct QueueSampler: Sendable {
    let metricsURL: String

    func sample(every period: Double) async -> [Int] {
        var samples: [Int] = []
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(period))
            guard !Task.isCancelled else { break }
            let url = metricsURL
            samples.append(await onThread("metrics") { queuedJobs(metricsURL: url) } ?? -1)
        }
        return samples
    }
}
