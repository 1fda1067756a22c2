import Foundation
import Logging
import Model
import Storage

/// Drains the outbox: claims due jobs, sends them through the provider's sender with a
/// bounded number in flight, and records each outcome (in batches) in the store.
public final class Dispatcher: Sendable {
    /// A provider's sender and the credential it uses.
    public struct Route: Sendable {
        public var credentialName: String
        public var sender: any PushSender

        public init(credentialName: String, sender: any PushSender) {
            self.credentialName = credentialName
            self.sender = sender
        }
    }

    let store: Store
    let table: RouteTable
    let template: MessageTemplate
    let retry: RetryPolicy
    let maxInFlight: Int
    let logger: Logger
    let telemetry: Telemetry
    private let wakeSignal = WakeSignal()

    public convenience init(store: Store, routes: [PushProvider: Route], template: MessageTemplate, maxAge: TimeInterval, maxInFlight: Int = 256, logger: Logger, telemetry: Telemetry = .disabled) {
        self.init(store: store, table: RouteTable(routes: routes, selection: ProviderSelection(hasAPNs: routes[.apns] != nil, hasFCM: routes[.fcm] != nil)),
                  template: template, maxAge: maxAge, maxInFlight: maxInFlight, logger: logger, telemetry: telemetry)
    }

    /// - Parameter table: the senders; replacing its contents (credentials reload) takes effect at the next claim.
    public init(store: Store, table: RouteTable, template: MessageTemplate, maxAge: TimeInterval, maxInFlight: Int = 256, logger: Logger, telemetry: Telemetry = .disabled) {
        self.telemetry = telemetry
        self.store = store
        self.table = table
        self.template = template
        self.retry = RetryPolicy(maxAge: maxAge)
        self.maxInFlight = maxInFlight
        self.logger = logger
    }

    /// New work is in the outbox.
    public func wake() {
        Task { await wakeSignal.signal() }
    }

    /// Runs until cancelled. In-flight pushes finish and are recorded before it returns.
    public func run() async {
        do {
            let released = try await store.releaseClaims()
            if released > 0 { logger.notice("re-queued pushes claimed by a previous run", metadata: ["count": "\(released)"]) }
        } catch {
            logger.error("cannot release old claims", metadata: ["error": "\(error)"])
        }
        var lastExpiry = Date.distantPast
        await withTaskGroup(of: Completed.self) { group in
            var inFlight = 0
            var pending: [Completed] = []
            var lastFlush = ContinuousClock.now
            while !Task.isCancelled {
                if Date().timeIntervalSince(lastExpiry) > 5 {
                    lastExpiry = Date()
                    await expireOldJobs()
                }
                let routes = table.routes
                let providers = Set(routes.keys)
                if inFlight <= maxInFlight / 2 {
                    let broken = (try? await store.brokenCredentials()) ?? [:]
                    let claimed = await claim(limit: maxInFlight - inFlight, providers: providers)
                    for job in claimed {
                        inFlight += 1
                        group.addTask { await self.attempt(job, route: routes[job.job.provider], broken: broken) }
                    }
                }
                if inFlight == 0 {
                    await flush(&pending)
                    let next = (try? await store.nextDueTime(providers: providers)) ?? nil
                    let wait = next.map { max(0.001, min(1, $0.timeIntervalSinceNow)) } ?? 1
                    await wakeSignal.wait(timeout: .milliseconds(Int(wait * 1_000)))
                    continue
                }
                guard let done = await group.next() else { continue }
                inFlight -= 1
                pending.append(done)
                if pending.count >= 256 || inFlight == 0 || ContinuousClock.now - lastFlush > .milliseconds(20) {
                    await flush(&pending)
                    lastFlush = ContinuousClock.now
                }
            }
            while let done = await group.next() { pending.append(done) }
            await flush(&pending)
        }
    }

    struct Completed: Sendable {
        var job: ClaimedJob
        var outcome: PushOutcome
        var credentialName: String?
    }

    private func claim(limit: Int, providers: Set<PushProvider>) async -> [ClaimedJob] {
        do {
            return try await store.claimDueJobs(limit: limit, providers: providers)
        } catch {
            logger.error("cannot claim pushes", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func attempt(_ claimed: ClaimedJob, route: Route?, broken: [String: String]) async -> Completed {
        guard let route else {
            return Completed(job: claimed, outcome: .failed(reason: "no \(claimed.job.provider.rawValue) credential"), credentialName: nil)
        }
        if let reason = broken[route.credentialName] {
            return Completed(
                job: claimed, outcome: .failed(reason: "credential '\(route.credentialName)' is broken: \(reason)"),
                credentialName: nil)
        }
        let (title, body) = template.render(claimed.job.alarm)
        let message = PushMessage(
            jobID: claimed.job.id, token: claimed.job.token, platform: claimed.platform, badge: claimed.badge,
            alarm: claimed.job.alarm, title: title, body: body,
            expiresAt: claimed.agedFrom.addingTimeInterval(retry.maxAge))
        let started = ContinuousClock.now
        let outcome = await route.sender.send(message)
        telemetry.time("zmes_provider_latency_seconds", [("provider", claimed.job.provider.rawValue)], ContinuousClock.now - started)
        return Completed(job: claimed, outcome: outcome, credentialName: route.credentialName)
    }

    private func flush(_ pending: inout [Completed]) async {
        guard !pending.isEmpty else { return }
        var results: [(jobID: Int64, token: String, result: JobResult)] = []
        var rejected: [String: String] = [:]
        let now = Date()
        for item in pending {
            let job = item.job.job
            var metadata: Logger.Metadata = [
                "push": "\(job.id)", "provider": "\(job.provider.rawValue)", "device": "\(redactedToken(job.token))",
                "attempt": "\(job.attempts)",
            ]
            telemetry.count("zmes_pushes_total", [("provider", job.provider.rawValue), ("outcome", item.outcome.metricName)])
            switch item.outcome {
            case .delivered:
                results.append((job.id, job.token, .delivered))
                logger.debug("push delivered", metadata: metadata)
            case .retry(let reason, let after):
                metadata["reason"] = "\(reason)"
                if let next = retry.nextAttempt(after: job.attempts, retryAfter: after, agedFrom: item.job.agedFrom, now: now) {
                    results.append((job.id, job.token, .retry(at: next, reason: reason)))
                    logger.notice("push will be retried", metadata: metadata)
                } else {
                    results.append((job.id, job.token, .failed(reason: "expired: \(reason)")))
                    logger.warning("push dead-lettered: too old to retry", metadata: metadata)
                }
            case .failed(let reason):
                metadata["reason"] = "\(reason)"
                results.append((job.id, job.token, .failed(reason: reason)))
                logger.warning("push dead-lettered", metadata: metadata)
            case .tokenGone(let reason, let at):
                metadata["reason"] = "\(reason)"
                results.append((job.id, job.token, .tokenGone(reason: reason, invalidAt: at)))
                logger.notice("device token is gone: removing the device", metadata: metadata)
            case .credentialRejected(let reason):
                metadata["reason"] = "\(reason)"
                results.append((job.id, job.token, .failed(reason: "credential rejected: \(reason)")))
                if let name = item.credentialName { rejected[name] = reason }
                logger.error("provider rejected the credential: push dead-lettered", metadata: metadata)
            }
        }
        pending.removeAll(keepingCapacity: true)
        do {
            for (name, reason) in rejected {
                try await store.markCredentialBroken(name: name, reason: reason)
            }
            try await store.record(results, at: now)
        } catch {
            logger.error("cannot record push outcomes; they will be sent again", metadata: ["error": "\(error)"])
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
