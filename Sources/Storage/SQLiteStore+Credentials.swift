import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Adds or replaces a credential; registering it again clears a broken mark.
    public func saveCredential(name: String, provider: PushProvider, body: Data, at now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO credentials (name, provider, body, broken_reason, broken_at, created_at, updated_at)
                    VALUES (?, ?, ?, NULL, NULL, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET provider = excluded.provider, body = excluded.body,
                        broken_reason = NULL, broken_at = NULL, updated_at = excluded.updated_at,
                        provider_token = NULL, provider_token_issued_at = NULL
                    """,
                arguments: [name, provider.rawValue, String(decoding: body, as: UTF8.self), now.storeValue, now.storeValue])
        }
    }

    public func credentials() async throws -> [StoredCredential] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credentials ORDER BY provider, name").compactMap { row in
                guard let provider = PushProvider(rawValue: row["provider"]) else { return nil }
                let brokenAt: Double? = row["broken_at"]
                let body: String = row["body"]
                return StoredCredential(
                    name: row["name"], provider: provider, body: Data(body.utf8), brokenReason: row["broken_reason"],
                    brokenAt: brokenAt.map(Date.init(storeValue:)), updatedAt: Date(storeValue: row["updated_at"]))
            }
        }
    }

    @discardableResult
    public func removeCredential(name: String) async throws -> Bool {
        try await writeCountingChanges("DELETE FROM credentials WHERE name = ?", arguments: [name]) > 0
    }

    /// The provider refused the credential: it is not used again until the operator acts.
    public func markCredentialBroken(name: String, reason: String, at now: Date) async throws {
        try await write(
            "UPDATE credentials SET broken_reason = ?, broken_at = ? WHERE name = ? AND broken_reason IS NULL",
            arguments: [reason, now.storeValue, name])
    }

    public func clearCredentialBroken(name: String) async throws {
        try await write("UPDATE credentials SET broken_reason = NULL, broken_at = NULL WHERE name = ?", arguments: [name])
    }

    /// Names of the credentials currently marked broken, with the reason.
    public func brokenCredentials() async throws -> [String: String] {
        try await readDictionary("SELECT name, broken_reason FROM credentials WHERE broken_reason IS NOT NULL") { row in (row[0], row[1]) }
    }
}

extension SQLiteStore {
    /// The APNs provider token last signed with a credential's key, so a restart reuses it
    /// instead of renewing more often than Apple allows.
    public func providerToken(credential name: String) async throws -> (token: String, issuedAt: Date)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT provider_token, provider_token_issued_at FROM credentials WHERE name = ?", arguments: [name]),
                let token: String = row["provider_token"], let issuedAt: Double = row["provider_token_issued_at"]
            else { return nil }
            return (token, Date(storeValue: issuedAt))
        }
    }

    public func saveProviderToken(credential name: String, token: String, issuedAt: Date) async throws {
        try await write(
            "UPDATE credentials SET provider_token = ?, provider_token_issued_at = ? WHERE name = ?",
            arguments: [token, issuedAt.storeValue, name])
    }
}
