import Foundation
import Model
import Storage
import Testing

@Suite("Store")
struct StoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-store-\(UUID().uuidString)/zmes.sqlite").path
    let alarm = Alarm(monitorId: 4, monitorName: "Garage", eventId: 100, cause: "Motion")

    func registration(_ token: String, user: String = "alice", filter: MonitorFilter? = nil) -> DeviceRegistration {
        DeviceRegistration(token: token, user: user, platform: .android, state: .enabled, filter: filter, appVersion: "1.8.001")
    }

    @Test("an interval holds until it has elapsed, and the same event never notifies twice", arguments: Backend.allCases)
    func intervals(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(registration("t1"))
            let candidate = [NotificationCandidate(token: "t1", interval: 60, provider: .fcm)]
            let t0 = Date()
            #expect(try await store.recordNotifications(for: alarm, candidates: candidate, at: t0) == ["t1"])
            var next = alarm
            next.eventId = 101
            #expect(try await store.recordNotifications(for: next, candidates: candidate, at: t0.addingTimeInterval(30)).isEmpty)
            #expect(try await store.recordNotifications(for: next, candidates: candidate, at: t0.addingTimeInterval(61)) == ["t1"])
            #expect(try await store.recordNotifications(for: next, candidates: candidate, at: t0.addingTimeInterval(500)).isEmpty)
            #expect(try await store.pushJobs().count == 2)
        }
    }

    @Test("an end notifies only devices told of that event's start, without restarting the interval", arguments: Backend.allCases)
    func ends(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(registration("t1"))
            try await store.register(registration("t2"))
            let t0 = Date()
            _ = try await store.recordNotifications(for: alarm, candidates: [.init(token: "t1", interval: 0, provider: nil)], at: t0)
            var end = alarm
            end.kind = .end
            let both: [NotificationCandidate] = [.init(token: "t1", interval: 0, provider: nil), .init(token: "t2", interval: 0, provider: nil)]
            #expect(try await store.recordNotifications(for: end, candidates: both, at: t0.addingTimeInterval(1)) == ["t1"])
        }
    }

    @Test("two alarms of one event (Mocord) are two notifications; a repeat is none; the end matches its alarm", arguments: Backend.allCases)
    func occurrences(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(registration("t1"))
            let candidate = [NotificationCandidate(token: "t1", interval: 0, provider: .fcm)]
            let t0 = Date()
            var first = alarm
            first.occurrence = 1_000
            var second = alarm
            second.occurrence = 61_000
            #expect(try await store.recordNotifications(for: first, candidates: candidate, at: t0) == ["t1"])
            #expect(try await store.recordNotifications(for: first, candidates: candidate, at: t0.addingTimeInterval(1)).isEmpty)
            var staleEnd = first
            staleEnd.kind = .end
            #expect(try await store.recordNotifications(for: second, candidates: candidate, at: t0.addingTimeInterval(60)) == ["t1"])
            #expect(try await store.recordNotifications(for: staleEnd, candidates: candidate, at: t0.addingTimeInterval(61)).isEmpty)
            var end = second
            end.kind = .end
            #expect(try await store.recordNotifications(for: end, candidates: candidate, at: t0.addingTimeInterval(62)) == ["t1"])
            #expect(try await store.pushJobs().count == 3)
        }
    }

    @Test("outbox jobs and last-notified times are written together and survive reopening", arguments: Backend.allCases)
    func durable(_ backend: Backend) async throws {
        let location = try backend.freshLocation()
        try await withTestStore(location) { store in
            try await store.register(registration("t1", filter: try MonitorFilter(monlist: "4", intlist: "3600")))
            try await store.setBadge(9, token: "t1")
            _ = try await store.recordNotifications(for: alarm, candidates: [.init(token: "t1", interval: 3600, provider: .apns)])
        }
        try await withTestStore(location) { reopened in
            let device = try #require(try await reopened.device(token: "t1"))
            #expect(device.badge == 9)
            #expect(device.filter.intlist == "3600")
            let jobs = try await reopened.pushJobs(state: .queued)
            #expect(jobs.count == 1)
            #expect(jobs.first?.provider == .apns)
            #expect(jobs.first?.alarm == Alarm(monitorId: 4, monitorName: "Garage", eventId: 100, cause: "Motion", time: jobs.first!.alarm.time))
            var later = alarm
            later.eventId = 200
            #expect(try await reopened.recordNotifications(for: later, candidates: [.init(token: "t1", interval: 3600, provider: .apns)]).isEmpty)
        }
    }

    @Test("re-registering updates the device, keeps its lists and badge, never duplicates it", arguments: Backend.allCases)
    func reregister(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(registration("t1", filter: try MonitorFilter(monlist: "1,2", intlist: "0,5")))
            try await store.setBadge(3, token: "t1")
            var again = registration("t1", user: "bob")
            again.state = .disabled
            try await store.register(again)
            let devices = try await store.devices()
            #expect(devices.count == 1)
            #expect(devices.first?.user == "bob")
            #expect(devices.first?.state == .disabled)
            #expect(devices.first?.filter.monlist == "1,2")
            #expect(devices.first?.badge == 3)
        }
    }

    @Test("removing a user removes its devices and their notification times", arguments: Backend.allCases)
    func removeUser(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.saveUser(User(name: "alice", passwordHash: "x", monitors: .only([1])))
            try await store.register(registration("t1"))
            _ = try await store.recordNotifications(for: alarm, candidates: [.init(token: "t1", interval: 0, provider: nil)])
            try await store.removeUser(named: "alice")
            #expect(try await store.devices().isEmpty)
            await #expect(throws: StoreError.self) { try await store.removeUser(named: "alice") }
            // A new device with the same token starts with no interval history.
            try await store.register(registration("t1", user: "bob"))
            var next = alarm
            next.eventId = 5
            #expect(try await store.recordNotifications(for: next, candidates: [.init(token: "t1", interval: 3600, provider: nil)]) == ["t1"])
        }
    }

    @Test("a store directory that cannot be created is a clear error")
    func unwritable() {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/proc/zmes-cannot-exist/zmes.sqlite") }
    }
}
