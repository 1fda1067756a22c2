import Foundation
import Model
import Storage
import Testing

@Suite("Store: MQTT jobs")
struct MQTTOutboxTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-mqtt-outbox-\(UUID().uuidString)/zmes.sqlite").path

    @Test("one job per broker per alarm, beside the pushes; claimed without a device or badge, and delivered without touching devices", arguments: Backend.allCases)
    func jobsWithoutDevice(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            // A device whose token is a broker's name must not be mistaken for the broker's job.
            try await store.register(DeviceRegistration(token: "home", user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: ""))
            try await store.setBadge(4, token: "home")
            let alarm = Alarm(monitorId: 1, monitorName: "Porch", eventId: 7, cause: "Motion")
            _ = try await store.recordNotifications(for: alarm, candidates: [], mqttBrokers: ["home", "cloud"])
            // The rule of intervals does not apply to brokers: the same alarm again is published again.
            _ = try await store.recordNotifications(for: alarm, candidates: [], mqttBrokers: ["home"])
            let claimed = try await store.claimDueJobs(limit: 10, providers: [.mqtt])
            #expect(claimed.map(\.job.token).sorted() == ["cloud", "home", "home"])
            #expect(claimed.allSatisfy { $0.platform == nil && $0.badge == 0 && $0.job.provider == .mqtt && $0.job.alarm.eventId == 7 })
            try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.delivered) })
            let device = try #require(try await store.device(token: "home"))
            #expect(device.badge == 4)
            #expect(device.lastPushAt == nil)
            #expect(try await store.outboxCounts()[.delivered] == 3)
        }
    }
}
