import Foundation
import Model
import Storage
import Testing

@Suite("Store: claim leases and outbox retention")
struct OutboxLeaseAndRetentionTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-lease-\(UUID().uuidString)/zmes.sqlite").path

    func queue(_ store: any Store, tokens: [String], event: Int, at now: Date) async throws {
        for token in tokens {
            try await store.register(DeviceRegistration(token: token, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: ""), at: now)
        }
        _ = try await store.recordNotifications(
            for: Alarm(monitorId: 1, monitorName: "Porch", eventId: event, cause: "Motion"),
            candidates: tokens.map { NotificationCandidate(token: $0, interval: 0, provider: .apns) }, at: now)
    }

    @Test("a claim whose outcome is never recorded is claimable again once its lease has passed, not before", arguments: Backend.allCases)
    func leaseExpires(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            let t0 = Date()
            try await queue(store, tokens: ["a", "b"], event: 1, at: t0)
            let claimed = try await store.claimDueJobs(limit: 10, providers: [.apns], at: t0)
            #expect(claimed.count == 2)
            // No outcome recorded (the store refused it, say): the jobs stay claimed within the lease.
            #expect(try await store.claimDueJobs(limit: 10, providers: [.apns], at: t0 + 60).isEmpty)
            #expect(try await store.releaseExpiredClaims(lease: 300, at: t0 + 299) == 0)
            #expect(try await store.claimDueJobs(limit: 10, providers: [.apns], at: t0 + 299).isEmpty)
            // Past the lease they come back, with their badges, and are not given out twice.
            let released = try await store.releaseExpiredClaims(lease: 300, at: t0 + 301)
            let again = try await store.claimDueJobs(limit: 10, providers: [.apns], at: t0 + 302)
            print("lease: released \(released) claims after 301 s; claimed again \(again.map(\.job.id)) (first claim \(claimed.map(\.job.id)))")
            #expect(released == 2)
            #expect(Set(again.map(\.job.id)) == Set(claimed.map(\.job.id)))
            #expect(again.allSatisfy { $0.job.attempts == 2 })
            #expect(again.map(\.badge).sorted() == claimed.map(\.badge).sorted())
            #expect(try await store.claimDueJobs(limit: 10, providers: [.apns], at: t0 + 303).isEmpty)
            // A finished job is never released.
            try await store.record(again.map { ($0.job.id, $0.job.token, JobResult.delivered) }, at: t0 + 304)
            #expect(try await store.releaseExpiredClaims(lease: 300, at: t0 + 10_000) == 0)
            #expect(try await store.outboxCounts() == [.delivered: 2])
        }
    }

    @Test("finished pushes older than the retention are deleted in batches; newer ones and unfinished ones stay; counts follow", arguments: Backend.allCases)
    func retention(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            let day: TimeInterval = 86_400
            let now = Date()
            let old = now - 8 * day
            // 5 delivered 8 days ago, 3 failed 8 days ago, 4 delivered an hour ago, 2 still queued from 8 days ago.
            try await queue(store, tokens: (0..<5).map { "old-delivered-\($0)" }, event: 1, at: old)
            var claimed = try await store.claimDueJobs(limit: 100, providers: [.apns], at: old)
            try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.delivered) }, at: old)
            try await queue(store, tokens: (0..<3).map { "old-failed-\($0)" }, event: 2, at: old)
            claimed = try await store.claimDueJobs(limit: 100, providers: [.apns], at: old)
            try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.failed(reason: "BadTopic")) }, at: old)
            try await queue(store, tokens: (0..<4).map { "new-delivered-\($0)" }, event: 3, at: now - 3_600)
            claimed = try await store.claimDueJobs(limit: 100, providers: [.apns], at: now - 3_600)
            try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.delivered) }, at: now - 3_600)
            try await queue(store, tokens: ["queued-0", "queued-1"], event: 4, at: old)
            #expect(try await store.outboxCounts() == [.delivered: 9, .failed: 3, .queued: 2])

            let cutoff = now - 7 * day
            var batches: [Int] = []
            while true {
                let deleted = try await store.deleteFinishedJobs(finishedBefore: cutoff, limit: 3)
                batches.append(deleted)
                if deleted < 3 { break }
            }
            let remaining = try await store.pushJobs()
            let counts = try await store.outboxCounts()
            print("retention: batches \(batches); left \(remaining.count) jobs; counts \(counts)")
            #expect(batches == [3, 3, 2])
            #expect(Set(remaining.map(\.token)) == Set((0..<4).map { "new-delivered-\($0)" } + ["queued-0", "queued-1"]))
            #expect(counts == [.delivered: 4, .queued: 2])
            // The counts are those of the rows, by state.
            for state in [PushJobState.queued, .retrying, .delivered, .failed] {
                #expect(try await store.pushJobs(state: state).count == counts[state] ?? 0)
            }

            // A failed job replayed is queued again, so kept however old; finished again, it counts from then.
            claimed = try await store.claimDueJobs(limit: 1, providers: [.apns], at: old)
            #expect(claimed.map(\.job.token) == ["queued-0"])
            let failedID = try #require(claimed.first?.job.id)
            try await store.record([(failedID, claimed[0].job.token, .failed(reason: "503"))], at: old)
            _ = try await store.replay(ids: [failedID], at: now)
            #expect(try await store.deleteFinishedJobs(finishedBefore: cutoff) == 0)
            #expect(try await store.pushJobs().contains { $0.id == failedID && $0.state == .queued })
            #expect(try await store.outboxCounts() == [.delivered: 4, .queued: 2])
        }
    }
}
