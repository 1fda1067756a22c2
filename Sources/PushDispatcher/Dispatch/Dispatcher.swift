import CoreMetrics
import Foundation
import Logging
import Model
import Storage

/// Drains the outbox: claims due jobs, sends them through the provider's sender with a
/// bounded number in flight, and records each outcome (in batches) in the store.
public final class Dispatcher: Sendable {
    let store: any Store
    let table: SenderTable
    let template: MessageTemplate
    /// Signs the event's picture link into each push; `nil` unless `pictures.enabled`.
    let pictures: PictureLinks?
    let retry: RetryPolicy
    let maxInFlight: Int
    /// How long a claim holds a job (`push.claim_lease`; ``claimLease`` by default).
    let lease: TimeInterval
    /// Pushes in flight at once by default. libcurl 7.88 polls every transfer's socket on
    /// each pass of its loop, so more in flight costs CPU per push: 128 measured faster and
    /// steadier than 256 (BENCHMARKS.md), and still keeps 128 requests on APNs' round trip.
    public static let defaultMaxInFlight = 128
    let logger: Logger
    let telemetry: Telemetry
    /// Made once: creating a metric per push is a registry lookup under a lock.
    private let latency: [PushProvider: CoreMetrics.Timer]
    private let wakeSignal = WakeSignal()
    /// How long a read of the broken-credential marks is trusted. They change when this
    /// dispatcher marks one (it re-reads then), on a reload, or from the CLI in another process.
    private static let brokenCredentialsLifetime: Duration = .seconds(1)

    public convenience init(store: any Store, senders: [PushProvider: CredentialSender], template: MessageTemplate, maxAge: TimeInterval, maxInFlight: Int = Dispatcher.defaultMaxInFlight, logger: Logger, telemetry: Telemetry = .disabled) {
        self.init(store: store, table: SenderTable(senders: senders, selection: ProviderSelection(configured: Set(senders.keys))),
                  template: template, maxAge: maxAge, maxInFlight: maxInFlight, logger: logger, telemetry: telemetry)
    }

    /// - Parameter table: the senders; replacing its contents (credentials reload) takes effect at the next claim.
    public init(
        store: any Store, table: SenderTable, template: MessageTemplate, pictures: PictureLinks? = nil, maxAge: TimeInterval,
        maxInFlight: Int = Dispatcher.defaultMaxInFlight, lease: TimeInterval = Dispatcher.claimLease, logger: Logger,
        telemetry: Telemetry = .disabled
    ) {
        self.lease = lease
        self.telemetry = telemetry
        self.pictures = pictures
        self.store = store
        self.table = table
        self.template = template
        self.retry = RetryPolicy(maxAge: maxAge)
        self.maxInFlight = maxInFlight
        self.logger = logger
        latency = Dictionary(uniqueKeysWithValues: PushProvider.allCases.map {
            ($0, telemetry.timer("zmes_provider_latency_seconds", [("provider", $0.rawValue)]))
        })
    }

    /// New work is in the outbox.
    public func wake() {
        Task { await wakeSignal.signal() }
    }

    /// How long a claim holds a job by default. A claim whose outcome was never recorded (the store
    /// refused the write, or the instance that claimed it died) is released after it, and the job is
    /// sent again: far longer than an attempt can take (connect 10 s + response 30 s, an FCM access
    /// token first).
    public static let claimLease: TimeInterval = 300

    /// Runs until cancelled. Then it claims nothing more; the pushes in flight finish and every
    /// outcome answered is recorded before it returns.
    ///
    /// The work runs in a task of its own rather than in the caller's: the store refuses writes
    /// from a cancelled task, and a graceful stop must still record what was delivered, or the
    /// next start sends it again.
    public func run() async {
        let stop = StopFlag()
        let work = Task { await self.drain(until: stop) }
        await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            stop.set()
            self.wake()
        }
    }

    /// What a drain loop's child task finished: a push, a claim, a batch of outcomes written, a wake.
    ///
    /// The claim and the outcome writes run as child tasks beside the pushes, one of each at a
    /// time, so the loop never waits on the store while the pushes in flight run out: against a
    /// fast endpoint a push takes less than a store write (BENCHMARKS.md, section 1).
    private enum DrainEvent: Sendable {
        case pushed(Completed)
        case claimed([ClaimedJob], limit: Int, senders: [PushProvider: CredentialSender])
        case recorded(Outcomes, markedBroken: Set<String>, retriesDueNow: Bool)
        case woken
    }

    private func drain(until stop: StopFlag) async {
        do {
            let released = try await store.releaseClaims()
            if released > 0 { logger.notice("re-queued pushes claimed by a previous run", metadata: ["count": "\(released)"]) }
        } catch {
            logger.error("cannot release old claims", metadata: ["error": "\(error)"])
        }
        var lastExpiry = Date.distantPast
        var outcomes = Outcomes()
        await withTaskGroup(of: DrainEvent.self) { group in
            var inFlight = 0
            /// Claimed and rendered, waiting for a slot: up to `maxInFlight` of them, so that a
            /// claim runs while a whole batch is still to send and the slots never run dry.
            var ready: [ReadyPush] = []
            /// An MQTT broker's jobs go one at a time, in order; the rest as slots allow.
            var inOrder = InOrderSends()
            var claiming = false
            var recording = false
            var waiting = false
            /// The last claim found fewer due jobs than it asked for: claim again after a wake.
            var exhausted = false
            /// Outcomes the store refused are offered again once per wake, not in a tight loop.
            var retryUnrecorded = false
            var pending: [Completed] = []
            var lastFlush = ContinuousClock.now
            var broken = BrokenCredentials()
            /// The credentials known broken when the pushes now starting were started (`BrokenCredentials`).
            var marks: [String: String] = [:]
            var stopAnnounced = false
            while true {
                let stopping = stop.isSet
                if stopping, !stopAnnounced {
                    stopAnnounced = true
                    if inFlight > 0 { logger.notice("stopping: waiting for the pushes in flight", metadata: ["count": "\(inFlight)"]) }
                }
                if !stopping, Date().timeIntervalSince(lastExpiry) > 5 {
                    lastExpiry = Date()
                    await expireOldJobs()
                    await releaseExpiredClaims()
                }
                let starting = inOrder.take(maxInFlight - inFlight, from: &ready, key: \.inOrderKey)
                for push in starting {
                    group.addTask { [marks] in
                        var done = await self.attempt(push.job, via: push.route, broken: marks, text: push.text)
                        done.inOrderKey = push.inOrderKey
                        return .pushed(done)
                    }
                }
                inFlight += starting.count
                if !stopping, !claiming, !exhausted, inFlight + ready.count <= maxInFlight {
                    let senders = table.senders
                    marks = await broken.current(store: store, senders: table.generation, lifetime: Self.brokenCredentialsLifetime)
                    let limit = 2 * maxInFlight - inFlight - ready.count
                    claiming = true
                    group.addTask {
                        .claimed(await self.claim(limit: limit, providers: Set(senders.keys)), limit: limit, senders: senders)
                    }
                }
                let idle = inFlight == 0 && !claiming && ready.isEmpty
                let flushDue = pending.count >= 256 || idle || stopping || ContinuousClock.now - lastFlush > .milliseconds(20)
                if !recording, (!pending.isEmpty && flushDue) || (retryUnrecorded && !outcomes.unrecorded.isEmpty) {
                    let batch = pending
                    let earlier = outcomes
                    pending.removeAll(keepingCapacity: true)
                    outcomes = Outcomes()
                    retryUnrecorded = false
                    recording = true
                    lastFlush = ContinuousClock.now
                    group.addTask {
                        let (left, markedBroken, retriesDueNow) = await self.flush(batch, after: earlier)
                        return .recorded(left, markedBroken: markedBroken, retriesDueNow: retriesDueNow)
                    }
                }
                if !stopping, exhausted, !waiting {
                    var timeout = Duration.milliseconds(100)
                    if idle {
                        let next = (try? await store.nextDueTime(providers: Set(table.senders.keys))) ?? nil
                        timeout = .milliseconds(Int(1_000 * (next.map { max(0.001, min(1, $0.timeIntervalSinceNow)) } ?? 1)))
                    }
                    waiting = true
                    group.addTask {
                        await self.wakeSignal.wait(timeout: timeout)
                        return .woken
                    }
                }
                if stopping, inFlight == 0, ready.isEmpty, !claiming, !recording, !waiting, pending.isEmpty { break }
                guard let event = await group.next() else { break }
                switch event {
                case .pushed(let done):
                    inFlight -= 1
                    inOrder.finished(key: done.inOrderKey)
                    if case .credentialRejected(let reason) = done.outcome, let name = done.credentialName {
                        marks[name] = reason
                        broken.refused(name, reason: reason)
                    }
                    pending.append(done)
                case .claimed(let claimed, let limit, let senders):
                    claiming = false
                    exhausted = claimed.count < limit
                    var rendered = RenderedAlarms(template: template, pictures: pictures)
                    for job in claimed {
                        let route = senders[job.job.provider]
                        let key = InOrderSends.key(provider: job.job.provider.rawValue, token: job.job.token, sender: route?.sender)
                        inOrder.added(key: key)
                        ready.append(ReadyPush(job: job, route: route, text: rendered.text(for: job.job.alarm), inOrderKey: key))
                    }
                case .recorded(let left, let markedBroken, let retriesDueNow):
                    recording = false
                    if retriesDueNow { exhausted = false }  // claim them now, not at the next wake
                    outcomes = left  // nothing else adds to it while a write runs
                    broken.marked(markedBroken)
                case .woken:
                    waiting = false
                    exhausted = false
                    retryUnrecorded = true
                }
            }
        }
        // A store that was busy a moment ago may take them now; what is still unrecorded after
        // that is sent again at the next start (at least once).
        for _ in 0..<3 where !outcomes.unrecorded.isEmpty {
            try? await Task.sleep(for: .seconds(1))
            await record(&outcomes)
        }
        if !outcomes.unrecorded.isEmpty {
            logger.error("stopping with push outcomes unrecorded; they will be sent again", metadata: ["count": "\(outcomes.unrecorded.count)"])
        }
    }

    /// A claimed job with what its attempt needs, waiting for a slot.
    private struct ReadyPush: Sendable {
        var job: ClaimedJob
        var route: CredentialSender?
        var text: RenderedAlarm
        /// Set when the job's sender keeps order (``InOrderSends``).
        var inOrderKey: String?
    }

    struct Completed: Sendable {
        var job: ClaimedJob
        var outcome: PushOutcome
        var credentialName: String?
        var inOrderKey: String? = nil
    }

    private func claim(limit: Int, providers: Set<PushProvider>) async -> [ClaimedJob] {
        do {
            return try await store.claimDueJobs(limit: limit, providers: providers)
        } catch {
            logger.error("cannot claim pushes", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func attempt(_ claimed: ClaimedJob, via route: CredentialSender?, broken: [String: String], text: RenderedAlarm) async -> Completed {
        guard let route else {
            return Completed(job: claimed, outcome: .failed(reason: "no \(claimed.job.provider.rawValue) credential"), credentialName: nil)
        }
        if let reason = broken[route.credentialName] {
            return Completed(
                job: claimed, outcome: .failed(reason: "credential '\(route.credentialName)' is broken: \(reason)"),
                credentialName: nil)
        }
        let message = PushMessage(
            jobID: claimed.job.id, token: claimed.job.token, platform: claimed.platform, badge: claimed.badge,
            alarm: claimed.job.alarm, title: text.title, body: text.body,
            expiresAt: claimed.agedFrom.addingTimeInterval(retry.maxAge), collapseID: text.collapseID, pictureURL: text.pictureURL)
        let started = ContinuousClock.now
        let outcome = await route.sender.send(message)
        latency[claimed.job.provider]?.record(ContinuousClock.now - started)
        return Completed(job: claimed, outcome: outcome, credentialName: route.credentialName)
    }

    /// Records a batch of outcomes in one transaction, after any the store refused before.
    /// - Returns: what the store still refused, the credentials marked broken, and whether a retry is due at once.
    private func flush(_ batch: [Completed], after earlier: Outcomes) async -> (Outcomes, markedBroken: Set<String>, retriesDueNow: Bool) {
        var outcomes = earlier
        var pending = batch
        guard !pending.isEmpty else {
            await record(&outcomes)
            return (outcomes, [], false)
        }
        var results: [(jobID: Int64, token: String, result: JobResult)] = []
        results.reserveCapacity(pending.count)
        var rejected: [String: String] = [:]
        var counts: [OutcomeKey: Int] = [:]
        var retriesDueNow = false
        let now = Date()
        let neverPushed = await tokensNeverPushed(in: pending)
        for index in pending.indices {
            if case .badToken(let reason) = pending[index].outcome {
                // A token that never got a 200 was never valid: remove it, as for a 410, so fake
                // tokens stop costing a provider call per alarm.
                pending[index].outcome =
                    neverPushed.contains(pending[index].job.job.token) ? .tokenGone(reason: reason, at: now) : .failed(reason: reason)
            }
        }
        for item in pending {
            let job = item.job.job
            // Built only when a message is logged: autoclosures.
            func metadata(_ reason: String? = nil) -> Logger.Metadata {
                var metadata: Logger.Metadata = [
                    "push": "\(job.id)", "provider": "\(job.provider.rawValue)", "device": "\(redactedToken(job.token))",
                    "attempt": "\(job.attempts)",
                ]
                if let reason { metadata["reason"] = "\(reason)" }
                return metadata
            }
            func retryLater(_ reason: String, after: Duration?, connectionLost: Bool) {
                let next = retry.nextAttempt(
                    after: job.attempts, retryAfter: after, connectionLost: connectionLost, agedFrom: item.job.agedFrom, now: now)
                if let next {
                    results.append((job.id, job.token, .retry(at: next, reason: reason)))
                    if next <= now { retriesDueNow = true }
                    logger.notice("push will be retried", metadata: metadata(reason))
                } else {
                    results.append((job.id, job.token, .failed(reason: "expired: \(reason)")))
                    logger.warning("push dead-lettered: too old to retry", metadata: metadata(reason))
                }
            }
            counts[OutcomeKey(provider: job.provider, outcome: item.outcome.metricName), default: 0] += 1
            switch item.outcome {
            case .delivered:
                results.append((job.id, job.token, .delivered))
                logger.debug("push delivered", metadata: metadata())
            case .retry(let reason, let after):
                retryLater(reason, after: after, connectionLost: false)
            case .connectionLost(let reason):
                retryLater(reason, after: nil, connectionLost: true)
            case .failed(let reason), .badToken(let reason):
                results.append((job.id, job.token, .failed(reason: reason)))
                logger.warning("push dead-lettered", metadata: metadata(reason))
            case .tokenGone(let reason, let at):
                results.append((job.id, job.token, .tokenGone(reason: reason, invalidAt: at)))
                logger.notice("device token is gone: removing the device", metadata: metadata(reason))
            case .credentialRejected(let reason):
                results.append((job.id, job.token, .failed(reason: "credential rejected: \(reason)")))
                if let name = item.credentialName { rejected[name] = reason }
                logger.error("provider rejected the credential: push dead-lettered", metadata: metadata(reason))
            }
        }
        for (key, count) in counts {
            telemetry.count("zmes_pushes_total", [("provider", key.provider.rawValue), ("outcome", key.outcome)], by: count)
        }
        for (name, reason) in rejected {
            do {
                try await store.markCredentialBroken(name: name, reason: reason)
            } catch {
                logger.error("cannot mark a credential broken", metadata: ["credential": "\(name)", "error": "\(error)"])
            }
        }
        outcomes.unrecorded.append(contentsOf: results.map { (result: $0, at: now) })
        await record(&outcomes)
        return (outcomes, Set(rejected.keys), retriesDueNow)
    }

    /// Of the tokens the provider refused as bad, those whose device never had a push delivered.
    private func tokensNeverPushed(in pending: [Completed]) async -> Set<String> {
        let refused = Set(pending.compactMap { item -> String? in
            if case .badToken = item.outcome { return item.job.job.token }
            return nil
        })
        guard !refused.isEmpty else { return [] }
        do {
            return try await store.tokensNeverPushed(among: refused)
        } catch {
            logger.error("cannot read the devices' last pushes; keeping them", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Outcomes answered by a provider and not yet in the store: kept and offered again at
    /// the next flush when the store refuses them (busy, full disk), up to a bound; beyond
    /// it their claims expire (``claimLease``) and the jobs are sent again.
    struct Outcomes: Sendable {
        var unrecorded: [(result: (jobID: Int64, token: String, result: JobResult), at: Date)] = []
        static let bound = 50_000
    }

    private func record(_ outcomes: inout Outcomes) async {
        guard !outcomes.unrecorded.isEmpty else { return }
        // Grouped by the time each was answered, in order: one transaction per flush batch.
        var index = 0
        while index < outcomes.unrecorded.count {
            let at = outcomes.unrecorded[index].at
            var end = index
            while end < outcomes.unrecorded.count, outcomes.unrecorded[end].at == at { end += 1 }
            do {
                try await store.record(outcomes.unrecorded[index..<end].map { $0.result }, at: at)
            } catch {
                outcomes.unrecorded.removeFirst(index)
                if outcomes.unrecorded.count > Outcomes.bound {
                    let dropped = outcomes.unrecorded.count - Outcomes.bound
                    outcomes.unrecorded.removeFirst(dropped)
                    logger.error("cannot record push outcomes; they will be sent again", metadata: ["count": "\(dropped)", "error": "\(error)"])
                } else {
                    logger.error("cannot record push outcomes yet; keeping them for the next try", metadata: ["count": "\(outcomes.unrecorded.count)", "error": "\(error)"])
                }
                return
            }
            index = end
        }
        outcomes.unrecorded.removeAll(keepingCapacity: true)
    }

    private struct OutcomeKey: Hashable {
        var provider: PushProvider
        var outcome: String
    }

    private func releaseExpiredClaims() async {
        do {
            let released = try await store.releaseExpiredClaims(lease: lease)
            if released > 0 { logger.warning("re-queued pushes whose claim expired (their outcome was never recorded)", metadata: ["count": "\(released)"]) }
        } catch {
            logger.error("cannot release expired claims", metadata: ["error": "\(error)"])
        }
    }

    private func expireOldJobs() async {
        do {
            let expired = try await store.expireJobs(maxAge: retry.maxAge)
            if expired > 0 { logger.warning("pushes dead-lettered: older than push.max_age", metadata: ["count": "\(expired)"]) }
        } catch {
            logger.error("cannot expire old pushes", metadata: ["error": "\(error)"])
        }
    }
}
