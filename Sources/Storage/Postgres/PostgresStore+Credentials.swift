import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    public func saveCredential(name: String, provider: PushProvider, body: Data, at now: Date) async throws {
        try await rows(
            """
            INSERT INTO credentials (name, provider, body, broken_reason, broken_at, created_at, updated_at)
            VALUES (\(name), \(provider.rawValue), \(String(decoding: body, as: UTF8.self)), NULL, NULL, \(now.storeValue), \(now.storeValue))
            ON CONFLICT (name) DO UPDATE SET provider = excluded.provider, body = excluded.body,
                broken_reason = NULL, broken_at = NULL, updated_at = excluded.updated_at,
                provider_token = NULL, provider_token_issued_at = NULL
            """)
    }

    public func credentials() async throws -> [StoredCredential] {
        try await rows("SELECT name, provider, body, broken_reason, broken_at, updated_at FROM credentials ORDER BY provider, name")
            .compactMap { row in
                let (name, provider, body, brokenReason, brokenAt, updatedAt) = try row.decode(
                    (String, String, String, String?, Double?, Double).self)
                guard let provider = PushProvider(rawValue: provider) else { return nil }
                return StoredCredential(
                    name: name, provider: provider, body: Data(body.utf8), brokenReason: brokenReason,
                    brokenAt: brokenAt.map(Date.init(storeValue:)), updatedAt: Date(storeValue: updatedAt))
            }
    }

    @discardableResult
    public func removeCredential(name: String) async throws -> Bool {
        try await !rows("DELETE FROM credentials WHERE name = \(name) RETURNING 1").isEmpty
    }

    public func markCredentialBroken(name: String, reason: String, at now: Date) async throws {
        try await rows(
            "UPDATE credentials SET broken_reason = \(reason), broken_at = \(now.storeValue) WHERE name = \(name) AND broken_reason IS NULL")
    }

    public func clearCredentialBroken(name: String) async throws {
        try await rows("UPDATE credentials SET broken_reason = NULL, broken_at = NULL WHERE name = \(name)")
    }

    public func brokenCredentials() async throws -> [String: String] {
        var broken: [String: String] = [:]
        for row in try await rows("SELECT name, broken_reason FROM credentials WHERE broken_reason IS NOT NULL") {
            let (name, reason) = try row.decode((String, String).self)
            broken[name] = reason
        }
        return broken
    }

    public func providerToken(credential name: String) async throws -> (token: String, issuedAt: Date)? {
        guard let row = try await rows("SELECT provider_token, provider_token_issued_at FROM credentials WHERE name = \(name)").first
        else { return nil }
        let (token, issuedAt) = try row.decode((String?, Double?).self)
        guard let token, let issuedAt else { return nil }
        return (token, Date(storeValue: issuedAt))
    }

    public func saveProviderToken(credential name: String, token: String, issuedAt: Date) async throws {
        try await rows(
            "UPDATE credentials SET provider_token = \(token), provider_token_issued_at = \(issuedAt.storeValue) WHERE name = \(name)")
    }
}
