import Foundation
import Model
import Testing

@testable import Storage

/// The outbox as operators filter it (the console's Pushes page, `zmes push list`): in the store's
/// query, so a filter finds matching jobs however many others are newer.
@Suite("Listing the outbox")
struct PushJobQueryTests {
    @Test("state, provider and a token's first characters narrow the list; % and _ in a prefix are plain characters", arguments: Backend.allCases)
    func narrows(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            let apple = String(repeating: "ab", count: 32)
            let android = "fcm_token%one"
            try await store.register(DeviceRegistration(token: apple, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1"))
            try await store.register(DeviceRegistration(token: android, user: "alice", platform: .android, state: .enabled, filter: nil, appVersion: "1"))
            _ = try await store.recordNotifications(
                for: Alarm(monitorId: 1, monitorName: "Door", eventId: 1, cause: "Motion"),
                candidates: [NotificationCandidate(token: android, interval: 0, provider: .fcm)])
            // Newer than the FCM job: 50 APNs jobs.
            for event in 2...51 {
                _ = try await store.recordNotifications(
                    for: Alarm(monitorId: 1, monitorName: "Door", eventId: event, cause: "Motion"),
                    candidates: [NotificationCandidate(token: apple, interval: 0, provider: .apns)])
            }
            func tokens(_ query: PushJobQuery, limit: Int = 10) async throws -> [String] {
                try await store.pushJobs(matching: query, limit: limit).map(\.token)
            }
            #expect(try await tokens(PushJobQuery(provider: .fcm)) == [android])
            #expect(try await tokens(PushJobQuery(tokenPrefix: "fcm_token%")) == [android])
            #expect(try await tokens(PushJobQuery(tokenPrefix: "fcm_token_")).isEmpty, "_ is not a wildcard")
            #expect(try await tokens(PushJobQuery(tokenPrefix: "fcm%")).isEmpty, "% is not a wildcard")
            #expect(try await tokens(PushJobQuery(provider: .apns, tokenPrefix: "abab"), limit: 100).count == 50)
            #expect(try await tokens(PushJobQuery(state: .delivered)).isEmpty)
            #expect(try await tokens(PushJobQuery(since: Date().addingTimeInterval(60))).isEmpty)
        }
    }
}
