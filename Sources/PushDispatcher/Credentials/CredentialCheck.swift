import CurlClient
import Storage

/// What `zmes credentials verify` and the console say of one credential: its broken mark, and with a
/// probe one real call to its provider, whose answer sets or lifts the mark. One home, so the CLI
/// and the console cannot disagree.
public enum CredentialCheck {
    public struct Verdict: Sendable, Equatable {
        /// `ok`, `ok (probe accepted)`, `broken: <reason>`, ...: as printed and shown.
        public var text: String
        public var healthy: Bool
    }

    /// - Parameter probeClient: the client a probe calls the provider with; `nil`: no probe.
    public static func run(
        _ credential: ProviderCredential, brokenReason: String?, probeClient client: CurlClient?, store: any Store
    ) async throws -> Verdict {
        var verdict = Verdict(text: brokenReason.map { "broken: \($0)" } ?? "ok", healthy: brokenReason == nil)
        guard let client else { return verdict }
        switch await CredentialProbe.run(credential, client: client, store: store) {
        case .accepted:
            if brokenReason != nil { try await store.clearCredentialBroken(name: credential.name) }
            verdict = Verdict(text: "ok (probe accepted)", healthy: true)
        case .rejected(let reason):
            try await store.markCredentialBroken(name: credential.name, reason: reason)
            verdict = Verdict(text: "broken: \(reason) (probe)", healthy: false)
        case .unreachable(let reason):
            verdict.text += " (probe could not reach the provider: \(reason))"
            verdict.healthy = false
        }
        return verdict
    }
}
