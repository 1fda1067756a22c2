import Foundation
import Model
import Storage

/// Puts dead-lettered pushes back into the outbox, through the same rules as new ones.
/// A replay also lifts the broken mark of the credentials it involves, so they are tried once more.
public enum Replay {
    public static func run(store: Store, ids: [Int64]?, since: Date?) async throws -> [PushJob] {
        let jobs = try await store.replay(ids: ids, since: since)
        let providers = Set(jobs.map(\.provider))
        for credential in try await store.credentials() where providers.contains(credential.provider) && credential.brokenReason != nil {
            try await store.clearCredentialBroken(name: credential.name)
        }
        return jobs
    }
}
