import Foundation
import Model
import Storage
import Testing

@Suite("Monitor mutes in the store")
struct MonitorMuteStoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-mutes-\(UUID().uuidString)/zmes.sqlite").path

    @Test("a mute holds until its end, a second mute replaces the first, unmute ends it, and it survives reopening", arguments: Backend.allCases)
    func mutes(_ backend: Backend) async throws {
        let location = try backend.freshLocation()
        let now = Date()
        try await withTestStore(location) { store in
            try await store.muteMonitor(3, until: now.addingTimeInterval(60), at: now)
            try await store.muteMonitor(3, until: now.addingTimeInterval(7_200), at: now)
            try await store.muteMonitor(4, until: now.addingTimeInterval(10), at: now)
        }
        try await withTestStore(location) { (reopened: any Store) async throws in
            #expect(try await reopened.monitorMutes(at: now).keys.sorted() == [3, 4])
            #expect(try await reopened.mutedUntil(monitor: 3, at: now.addingTimeInterval(3_600)) != nil)
            #expect(try await reopened.mutedUntil(monitor: 4, at: now.addingTimeInterval(11)) == nil)  // ended
            #expect(try await reopened.monitorMutes(at: now.addingTimeInterval(11)).keys.sorted() == [3])
            #expect(try await reopened.unmuteMonitor(3))
            #expect(try await !reopened.unmuteMonitor(3))
            #expect(try await reopened.mutedUntil(monitor: 3, at: now) == nil)
        }
    }

    @Test("a critical alarm's jobs keep the mark through the outbox", arguments: Backend.allCases)
    func criticalJob(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(DeviceRegistration(token: "t1", user: "alice", platform: .android, state: .enabled, filter: nil, appVersion: ""))
            let alarm = Alarm(monitorId: 1, monitorName: "Porch", eventId: 7, cause: "person", critical: true)
            _ = try await store.recordNotifications(for: alarm, candidates: [NotificationCandidate(token: "t1", interval: 0, provider: .fcm)], at: Date())
            #expect(try await store.pushJobs().first?.alarm.critical == true)
        }
    }
}
