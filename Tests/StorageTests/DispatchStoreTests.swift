import Foundation
import Model
import Storage
import Testing

@Suite("Store: claiming and recording pushes")
struct DispatchStoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-dispatch-\(UUID().uuidString)/zmes.sqlite").path

    func register(_ store: any Store, _ token: String) async throws {
        try await store.register(DeviceRegistration(token: token, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: ""))
    }

    func alarm(_ event: Int) -> Alarm {
        Alarm(monitorId: 1, monitorName: "Porch", eventId: event, cause: "Motion")
    }

    @Test("one claim of several alarms for a device gives its pushes consecutive badges in order, once", arguments: Backend.allCases)
    func consecutiveBadges(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            // A token with characters that need escaping in the batch statements.
            let odd = #"odd"token\with:chars"#
            try await register(store, "plain")
            try await register(store, odd)
            try await store.setBadge(4, token: "plain")
            for event in 1...3 {
                let candidates = [NotificationCandidate(token: "plain", interval: 0, provider: .apns), .init(token: odd, interval: 0, provider: .apns)]
                _ = try await store.recordNotifications(for: alarm(event), candidates: candidates)
            }
            let claimed = try await store.claimDueJobs(limit: 100, providers: [.apns])
            #expect(claimed.filter { $0.job.token == "plain" }.map(\.badge) == [5, 6, 7])
            #expect(claimed.filter { $0.job.token == odd }.map(\.badge) == [1, 2, 3])
            #expect(claimed.allSatisfy { $0.job.attempts == 1 })
            #expect(try await store.device(token: "plain")?.badge == 7)
            #expect(try await store.device(token: odd)?.badge == 3)
            // Claimed jobs are not handed out twice.
            #expect(try await store.claimDueJobs(limit: 100, providers: [.apns]).isEmpty)

            // A retry keeps the badge it was given and does not raise the device's count again.
            let first = try #require(claimed.first)
            try await store.record([(first.job.id, first.job.token, .retry(at: Date(timeIntervalSinceNow: -1), reason: "503"))])
            let again = try await store.claimDueJobs(limit: 100, providers: [.apns])
            #expect(again.map(\.job.id) == [first.job.id])
            #expect(again.first?.badge == first.badge)
            #expect(again.first?.job.attempts == 2)
            #expect(try await store.device(token: first.job.token)?.badge == (first.job.token == "plain" ? 7 : 3))
        }
    }

    @Test("a batch of deliveries marks every job delivered and every device's last push", arguments: Backend.allCases)
    func recordDeliveries(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            let tokens = (0..<50).map { "device-\($0)" }
            for token in tokens { try await register(store, token) }
            _ = try await store.recordNotifications(for: alarm(9), candidates: tokens.map { .init(token: $0, interval: 0, provider: .apns) })
            let claimed = try await store.claimDueJobs(limit: 100, providers: [.apns])
            #expect(claimed.count == 50)
            let at = Date()
            try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.delivered) }, at: at)
            let counts = try await store.outboxCounts()
            #expect(counts[.delivered] == 50)
            #expect(counts[.queued] == nil)
            for token in tokens {
                let device = try #require(try await store.device(token: token))
                #expect(abs((device.lastPushAt?.timeIntervalSince1970 ?? 0) - at.timeIntervalSince1970) < 0.001)
            }
        }
    }

    @Test("a job whose device was removed fails at claim instead of being sent", arguments: Backend.allCases)
    func orphans(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await register(store, "gone")
            try await register(store, "kept")
            _ = try await store.recordNotifications(
                for: alarm(1), candidates: [.init(token: "gone", interval: 0, provider: .apns), .init(token: "kept", interval: 0, provider: .apns)])
            try await store.removeDevice(token: "gone")
            let claimed = try await store.claimDueJobs(limit: 100, providers: [.apns])
            #expect(claimed.map(\.job.token) == ["kept"])
            let failed = try await store.pushJobs(state: .failed)
            #expect(failed.map(\.token) == ["gone"])
            #expect(failed.first?.lastError == "the device was removed")
        }
    }
}
