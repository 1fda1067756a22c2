import Foundation
import Model
import Storage
import Testing

@Suite("zmes store copy: an SQLite install into PostgreSQL")
struct StoreCopyTests {
    /// Times as both stores keep them (seconds since 1970 as a double), rounded so a comparison is exact.
    let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)

    /// An install as `zmes serve` and the CLI leave it, written through the Store API.
    func fill(_ store: any Store) async throws {
        try await store.saveUser(User(name: "alice", passwordHash: "$2b$hash-a", monitors: .all, createdAt: now, isAdmin: true))
        try await store.saveUser(User(name: "bob", passwordHash: "$2b$hash-b", monitors: .only([1, 3]), createdAt: now))
        try await store.importDevices(
            [
                (DeviceRegistration(token: "ios-token-1", user: "alice", platform: .ios, state: .enabled, filter: .all, appVersion: "1.6"), 4),
                (
                    DeviceRegistration(
                        token: "android-token-2", user: "bob", platform: .android, state: .disabled,
                        filter: try MonitorFilter(monlist: "1,3", intlist: "0,60"), appVersion: "1.5"), 0
                ),
            ], at: now)
        try await store.register(DeviceRegistration(token: "fcm-token-3", user: "bob", platform: .android, state: .enabled, filter: nil, appVersion: ""), at: now)
        try await store.setBadge(7, token: "fcm-token-3")
        try await store.saveCredential(name: "apns-main", provider: .apns, body: Data(#"{"key":"k1"}"#.utf8), at: now)
        try await store.saveCredential(name: "fcm-old", provider: .fcm, body: Data(#"{"key":"k2"}"#.utf8), at: now)
        try await store.markCredentialBroken(name: "fcm-old", reason: "401 from FCM", at: now)
        try await store.saveProviderToken(credential: "apns-main", token: "jwt-token", issuedAt: now)
        _ = try await store.secret(named: "picture-signing-key") { [1, 2, 3, 4] }
        try await store.muteMonitor(3, until: now.addingTimeInterval(3_600), at: now)
        try await store.saveLastNotifiedEvent(monitor: 1, event: 41, at: now)
        try await store.saveLastNotifiedEvent(monitor: 3, event: 99, at: now)
        // One job delivered (history, not copied), one pending, one retrying.
        let first = Alarm(monitorId: 1, monitorName: "Porch", eventId: 40, cause: "person", time: now)
        _ = try await store.recordNotifications(
            for: first, candidates: [NotificationCandidate(token: "ios-token-1", interval: 0, provider: .apns)], at: now)
        let claimed = try await store.claimDueJobs(limit: 10, providers: Set(PushProvider.allCases), at: now)
        try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.delivered) }, at: now)
        let second = Alarm(monitorId: 3, monitorName: "Yard", eventId: 99, cause: "car", time: now, critical: true)
        _ = try await store.recordNotifications(
            for: second,
            candidates: [
                NotificationCandidate(token: "android-token-2", interval: 0, provider: .fcm),
                NotificationCandidate(token: "fcm-token-3", interval: 0, provider: .fcm),
            ], at: now)
        let retried = try await store.claimDueJobs(limit: 1, providers: [.fcm], at: now)
        try await store.record(retried.map { ($0.job.id, $0.job.token, JobResult.retry(at: now.addingTimeInterval(30), reason: "503")) }, at: now)
    }

    @Test("everything a server needs arrives, and a second copy into the now non-empty target is refused and writes nothing")
    func copiesAndRefuses() async throws {
        let sqlite = try Backend.sqlite.freshLocation()
        let postgres = try Backend.postgres.freshLocation()
        try await withTestStore(sqlite) { source in
            try await fill(source)
            try await withTestStore(postgres) { target in
                let counts = try await StoreCopy.copy(from: source, to: target, at: now)
                #expect(
                    counts.description
                        == "copied 2 users, 3 devices, 2 credentials, 1 secret, 1 mute, 2 monitors' last events, 2 pending pushes")

                #expect(try await target.users() == source.users())
                #expect(try await target.devices().sorted { $0.token < $1.token } == source.devices().sorted { $0.token < $1.token })
                #expect(try await target.device(token: "fcm-token-3")?.badge == source.device(token: "fcm-token-3")?.badge)
                #expect(try await target.credentials() == source.credentials())
                #expect(try await target.brokenCredentials() == ["fcm-old": "401 from FCM"])
                #expect(try await target.providerToken(credential: "apns-main")?.token == "jwt-token")
                #expect(try await target.secrets() == ["picture-signing-key": [1, 2, 3, 4]])
                #expect(try await target.monitorMutes(at: now) == source.monitorMutes(at: now))
                #expect(try await target.lastNotifiedEvents() == [1: 41, 3: 99])
                #expect(try await target.devices(watching: 1).map(\.token) == source.devices(watching: 1).map(\.token))

                func pending(_ store: any Store) async throws -> [PushJob] {
                    try await (store.pushJobs(state: .queued) + store.pushJobs(state: .retrying))
                        .map { job in
                            var job = job
                            job.id = 0
                            return job
                        }
                        .sorted { $0.token < $1.token }
                }
                #expect(try await pending(target) == pending(source))
                #expect(try await target.outboxCounts() == [.queued: 1, .retrying: 1])
                // The copied jobs are claimable on the target; the one already attempted does not raise its device's badge again.
                let retrying = try #require(try await target.pushJobs(state: .retrying).first?.token)
                let queued = try #require(try await target.pushJobs(state: .queued).first?.token)
                let before = try await target.devices()
                let claimedOnTarget = try await target.claimDueJobs(limit: 10, providers: [.fcm], at: now.addingTimeInterval(60))
                #expect(claimedOnTarget.count == 2)
                let after = try await target.devices()
                func badge(_ devices: [Device], _ token: String) -> Int? { devices.first { $0.token == token }?.badge }
                #expect(badge(after, retrying) == badge(before, retrying))
                #expect(badge(after, queued) == badge(before, queued).map { $0 + 1 })

                await #expect(throws: StoreCopy.TargetNotEmpty.self) {
                    _ = try await StoreCopy.copy(from: source, to: target, at: now)
                }
                #expect(try await target.users().count == 2)
                #expect(try await target.devices().count == 3)
                #expect(try await target.outboxCounts().values.reduce(0, +) == 2)
            }
        }
    }
}
