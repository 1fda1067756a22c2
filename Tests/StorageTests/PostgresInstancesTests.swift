import Foundation
import Model
import Storage
import Testing

/// Several instances on one PostgreSQL database: what SQLite's single writer gave for free must
/// hold across them.
@Suite("PostgreSQL: several instances on one store")
struct PostgresInstancesTests {
    func register(_ store: any Store, tokens: [String]) async throws {
        try await store.register(
            contentsOf: tokens.map { DeviceRegistration(token: $0, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "") })
    }

    func alarm(_ event: Int) -> Alarm {
        Alarm(monitorId: 1, monitorName: "Porch", eventId: event, cause: "Motion")
    }

    /// Both instances claim in small batches at once until the outbox is empty.
    func claimAll(_ store: any Store) async throws -> [ClaimedJob] {
        var claimed: [ClaimedJob] = []
        while true {
            let batch = try await store.claimDueJobs(limit: 7, providers: [.apns])
            if batch.isEmpty { return claimed }
            claimed += batch
        }
    }

    @Test("two instances claiming at once never take the same job; each job says who claimed it; badges stay consecutive")
    func concurrentClaims() async throws {
        let location = try Backend.postgres.freshLocation()
        let tokens = (0..<150).map { "device-\($0)" }
        try await withTestStore(location, instanceId: "instance-a") { a in
            try await withTestStore(location, instanceId: "instance-b") { b in
                try await register(a, tokens: tokens)
                for event in 1...2 {
                    _ = try await a.recordNotifications(
                        for: alarm(event), candidates: tokens.map { NotificationCandidate(token: $0, interval: 0, provider: .apns) })
                }
                // A first batch each, at once, so that neither can find the outbox already emptied by
                // the other on a slow machine; then both claim at once until it is empty.
                async let firstOfA = a.claimDueJobs(limit: 7, providers: [.apns])
                async let firstOfB = b.claimDueJobs(limit: 7, providers: [.apns])
                let (firstA, firstB) = try await (firstOfA, firstOfB)
                async let byA = claimAll(a)
                async let byB = claimAll(b)
                let (restA, restB) = try await (byA, byB)
                let (claimedByA, claimedByB) = (firstA + restA, firstB + restB)
                let idsA = claimedByA.map(\.job.id)
                let idsB = claimedByB.map(\.job.id)
                print("claims: instance-a took \(idsA.count) jobs, instance-b \(idsB.count), of \(2 * tokens.count)")
                #expect(Set(idsA).isDisjoint(with: idsB))
                #expect(Set(idsA).count == idsA.count && Set(idsB).count == idsB.count)
                #expect(idsA.count + idsB.count == 2 * tokens.count)
                #expect(!idsA.isEmpty && !idsB.isEmpty)

                let postgres = try #require(a as? PostgresStore)
                let claimants = try await postgres.claimants(of: idsA + idsB)
                #expect(idsA.allSatisfy { claimants[$0] == "instance-a" })
                #expect(idsB.allSatisfy { claimants[$0] == "instance-b" })

                // Each device's two pushes got 1 and 2 whichever instance claimed them.
                let badges = Dictionary(grouping: claimedByA + claimedByB, by: \.job.token).mapValues { $0.map(\.badge).sorted() }
                #expect(badges.values.allSatisfy { $0 == [1, 2] })
                #expect(try await b.devices().allSatisfy { $0.badge == 2 })
            }
        }
    }

    @Test("one alarm recorded by two instances at once notifies each device once")
    func concurrentNotifications() async throws {
        let location = try Backend.postgres.freshLocation()
        let tokens = (0..<40).map { "device-\($0)" }
        try await withTestStore(location, instanceId: "instance-a") { a in
            try await withTestStore(location, instanceId: "instance-b") { b in
                try await register(a, tokens: tokens)
                let candidates = tokens.map { NotificationCandidate(token: $0, interval: 60, provider: .apns) }
                async let byA = a.recordNotifications(for: alarm(7), candidates: candidates)
                async let byB = b.recordNotifications(for: alarm(7), candidates: candidates)
                let (notifiedByA, notifiedByB) = try await (byA, byB)
                #expect(notifiedByA.isDisjoint(with: notifiedByB))
                #expect(notifiedByA.union(notifiedByB) == Set(tokens))
                #expect(try await b.pushJobs().count == tokens.count)
            }
        }
    }

    @Test("two instances starting together on an empty database both migrate it, and find one schema")
    func concurrentMigrations() async throws {
        let location = try Backend.postgres.freshLocation()
        async let a: Int = withTestStore(location, instanceId: "instance-a") { store in try await store.userCount() }
        async let b: Int = withTestStore(location, instanceId: "instance-b") { store in try await store.userCount() }
        #expect(try await [a, b] == [0, 0])
    }

    @Test("at start-up an instance takes back only its own claims: another's are live")
    func startupReleasesOwnClaims() async throws {
        let location = try Backend.postgres.freshLocation()
        try await withTestStore(location, instanceId: "instance-a") { a in
            try await withTestStore(location, instanceId: "instance-b") { b in
                try await register(a, tokens: ["t1", "t2"])
                _ = try await a.recordNotifications(
                    for: alarm(1), candidates: ["t1", "t2"].map { NotificationCandidate(token: $0, interval: 0, provider: .apns) })
                #expect(try await a.claimDueJobs(limit: 10, providers: [.apns]).count == 2)
                #expect(try await b.releaseClaims() == 0)
                #expect(try await b.claimDueJobs(limit: 10, providers: [.apns]).isEmpty)
                #expect(try await a.releaseClaims() == 2)
                #expect(try await b.claimDueJobs(limit: 10, providers: [.apns]).count == 2)
            }
        }
    }
}
