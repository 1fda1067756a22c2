import Foundation
import Model
import Storage
import Synchronization
import Testing

@testable import EventServer

/// `auth.login_cache`: a reconnect storm costs one bcrypt check per user, and what is
/// remembered never outlives a password change or a removed user.
@Suite("Login cache")
struct LoginCacheTests {
    /// Counts the slow checks a `VerifiedLogins` asks for, each taking `delay`.
    final class SlowCheck: Sendable {
        let calls = Mutex(0)
        let delay: Duration

        init(delay: Duration = .milliseconds(50)) { self.delay = delay }

        func verify(_ answer: Bool) -> @Sendable () async -> Bool {
            { [self] in
                calls.withLock { $0 += 1 }
                try? await Task.sleep(for: delay)
                return answer
            }
        }

        var count: Int { calls.withLock { $0 } }
    }

    @Test("500 phones of one user logging in at once: one slow check, every login accepted; later logins need none")
    func stormIsOneCheck() async {
        let logins = VerifiedLogins(lifetime: 300)
        let check = SlowCheck()
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 {
                group.addTask { await logins.check(user: "alice", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(true)) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 500)
        #expect(check.count == 1)
        #expect(await logins.check(user: "alice", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(true)))
        #expect(check.count == 1)
    }

    @Test("a wrong password is checked every time and never remembered")
    func failuresAreNotRemembered() async {
        let logins = VerifiedLogins(lifetime: 300)
        let check = SlowCheck(delay: .zero)
        for _ in 0..<3 {
            #expect(await !logins.check(user: "alice", password: "guess", storedHash: "$2b$hash-1", verify: check.verify(false)))
        }
        #expect(check.count == 3)
        // A remembered success does not vouch for another password.
        _ = await logins.check(user: "alice", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(true))
        #expect(await !logins.check(user: "alice", password: "Secret", storedHash: "$2b$hash-1", verify: check.verify(false)))
        #expect(check.count == 5)
    }

    @Test("a new stored hash (a password change) or another user needs a new check; lifetime 0 checks every login")
    func rememberedOnlyForTheSameHash() async {
        let logins = VerifiedLogins(lifetime: 300)
        let check = SlowCheck(delay: .zero)
        _ = await logins.check(user: "alice", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(true))
        #expect(await !logins.check(user: "alice", password: "secret", storedHash: "$2b$hash-2", verify: check.verify(false)))
        #expect(await !logins.check(user: "bob", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(false)))
        #expect(check.count == 3)

        let uncached = VerifiedLogins(lifetime: 0)
        for _ in 0..<2 { _ = await uncached.check(user: "alice", password: "secret", storedHash: "$2b$hash-1", verify: check.verify(true)) }
        #expect(check.count == 5)
    }

    @Test("after a password change the old password is refused at once, and after user remove every login is")
    func passwordChangeAndRemove() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-login-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/zmes.sqlite")
        try await store.saveUser(User(name: "alice", passwordHash: await PasswordHasher.hash("old", cost: 4), monitors: .all))
        let backend = LocalAuthBackend(store: store, loginCache: 300)

        #expect(try await backend.authenticate(user: "alice", password: "old").name == "alice")
        #expect(try await backend.authenticate(user: "alice", password: "old").name == "alice")  // remembered

        // `zmes user add alice` with a new password, as another process would write it.
        try await store.saveUser(User(name: "alice", passwordHash: await PasswordHasher.hash("new", cost: 4), monitors: .all))
        await #expect(throws: AuthError.badCredentials) { try await backend.authenticate(user: "alice", password: "old") }
        #expect(try await backend.authenticate(user: "alice", password: "new").name == "alice")

        try await store.removeUser(named: "alice")
        await #expect(throws: AuthError.badCredentials) { try await backend.authenticate(user: "alice", password: "new") }
    }
}
