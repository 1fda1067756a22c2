import Crypto
import Foundation
import Testing

@testable import PushDispatcher

@Suite("APNs provider token")
struct ProviderTokenTests {
    @Test("concurrent first callers share one token; it is renewed only after 50 minutes")
    func sharedAndRenewed() async throws {
        let provider = ProviderToken(key: P256.Signing.PrivateKey(), keyID: "K", teamID: "T")
        let now = Date()
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 { group.addTask { try await provider.token(now: now) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1)
        #expect(try await provider.token(now: now.addingTimeInterval(49 * 60)) == tokens.first)
        #expect(try await provider.token(now: now.addingTimeInterval(51 * 60)) != tokens.first)
        #expect(await provider.renewals == 2)
    }

    @Test("an ExpiredProviderToken reply forces a new token only for a token old enough")
    func expiry() async throws {
        let provider = ProviderToken(key: P256.Signing.PrivateKey(), keyID: "K", teamID: "T")
        let now = Date()
        let first = try await provider.token(now: now)
        await provider.expire(first, now: now.addingTimeInterval(60))  // too young: kept
        #expect(try await provider.token(now: now.addingTimeInterval(61)) == first)
        await provider.expire(first, now: now.addingTimeInterval(25 * 60))
        #expect(try await provider.token(now: now.addingTimeInterval(25 * 60)) != first)
    }
}
