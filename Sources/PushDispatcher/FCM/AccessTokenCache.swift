import CurlClient
import Foundation
import _CryptoExtras

/// Why Google would not give an access token for a service account.
struct OAuthError: Error, CustomStringConvertible {
    let description: String
}

/// The OAuth2 access token of one service account: a signed JWT exchanged at
/// `token_uri`, cached until shortly before it expires, renewed once on a 401.
actor AccessTokenCache {
    private let account: ServiceAccount
    private let key: _RSA.Signing.PrivateKey
    private let client: CurlClient
    private let caFile: String?
    private let telemetry: Telemetry
    private var current: (token: String, expiresAt: Date)?
    /// The exchange in progress; concurrent callers wait for it instead of starting their own.
    private var exchanging: Task<String, any Error>?
    /// Exchanges made so far, for tests and metrics.
    private(set) var exchanges = 0

    init(account: ServiceAccount, client: CurlClient, caFile: String?, telemetry: Telemetry = .disabled) throws {
        self.telemetry = telemetry
        self.account = account
        self.key = try _RSA.Signing.PrivateKey(pemRepresentation: account.privateKeyPEM)
        self.client = client
        self.caFile = caFile
    }

    func token(now: Date = Date()) async throws -> String {
        if let current, current.expiresAt > now.addingTimeInterval(60) { return current.token }
        if let exchanging { return try await exchanging.value }
        let task = Task { try await self.exchange(now: now) }
        exchanging = task
        defer { exchanging = nil }
        return try await task.value
    }

    /// The send endpoint refused `token`: forget it so the next call exchanges again.
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func exchange(now: Date) async throws -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        let assertion = try JWT.rs256(
            keyID: account.privateKeyID,
            claims: [
                "iss": account.clientEmail,
                "scope": "https://www.googleapis.com/auth/firebase.messaging",
                "aud": account.tokenURI,
                "iat": issuedAt,
                "exp": issuedAt + 3600,
            ],
            key: key)
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
        let response: CurlResponse
        do {
            response = try await client.send(
                CurlRequest(
                    url: account.tokenURI, headers: [("content-type", "application/x-www-form-urlencoded")],
                    body: Array(form.utf8), caFile: caFile))
        } catch {
            throw error  // transport trouble: the caller retries later
        }
        let reply = try? JSONDecoder().decode(OAuthTokenReply.self, from: Data(response.body))
        guard response.status == 200, let token = reply?.accessToken else {
            let reason = reply?.error ?? "HTTP \(response.status)"
            throw OAuthError(description: "OAuth token exchange refused: \(reason)")
        }
        let lifetime = reply?.expiresIn ?? 3600
        current = (token, now.addingTimeInterval(lifetime))
        exchanges += 1
        telemetry.count("zmes_token_renewals_total", [("kind", "fcm_oauth")])
        return token
    }
}
