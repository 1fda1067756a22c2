import Crypto
import CurlClient
import Foundation
import Logging
import Storage

/// Sends pushes to APNs with token-based auth (ES256 provider JWT).
public struct APNsSender: PushSender {
    let credential: APNsCredential
    let client: CurlClient
    let providerToken: ProviderToken

    /// - Parameter store: keeps the provider token across restarts; `nil` keeps it in memory only.
    public init(credential: APNsCredential, client: CurlClient, store: (any Store)? = nil, telemetry: Telemetry = .disabled) throws {
        self.credential = credential
        self.client = client
        let key = try P256.Signing.PrivateKey(pemRepresentation: credential.keyPEM)
        let persistence = store.map { store in
            ProviderTokenPersistence(
                load: { try? await store.providerToken(credential: credential.name) },
                save: { token, issuedAt in try? await store.saveProviderToken(credential: credential.name, token: token, issuedAt: issuedAt) })
        }
        providerToken = ProviderToken(key: key, keyID: credential.keyID, teamID: credential.teamID, persistence: persistence, telemetry: telemetry)
    }

    /// Provider tokens signed so far (one per key per 50 minutes when all is well).
    public func tokenRenewals() async -> Int { await providerToken.renewals }

    public func send(_ message: PushMessage) async -> PushOutcome {
        switch await attempt(message) {
        case .done(let outcome): return outcome
        case .providerTokenExpired: return await attempt(message).outcome  // a fresh token, straight away
        }
    }

    private enum Attempt {
        case done(PushOutcome)
        /// Apple refused the provider token as too old; it is expired here too.
        case providerTokenExpired(PushOutcome)

        var outcome: PushOutcome {
            switch self {
            case .done(let outcome), .providerTokenExpired(let outcome): return outcome
            }
        }
    }

    private func attempt(_ message: PushMessage) async -> Attempt {
        let jwt: String
        if let fresh = providerToken.freshToken() {
            jwt = fresh
        } else {
            do {
                jwt = try await providerToken.token()
            } catch {
                return .done(.credentialRejected(reason: "cannot sign the provider token: \(error)"))
            }
        }
        let request = CurlRequest(
            url: "\(credential.baseURL)/3/device/\(message.token)",
            headers: [
                ("authorization", "bearer \(jwt)"),
                ("apns-topic", credential.topic),
                ("apns-push-type", "alert"),
                ("apns-priority", "10"),
                ("apns-expiration", String(Int(message.expiresAt.timeIntervalSince1970))),
                ("apns-collapse-id", message.collapseID),
                ("apns-id", UUID.randomVersion4().lowercasedString),
                ("content-type", "application/json"),
            ],
            body: APNsPayload.encode(message),
            caFile: credential.caFile.isEmpty ? nil : credential.caFile)
        let response: CurlResponse
        do {
            response = try await client.send(request)
        } catch {
            return .done(.connectionLost(reason: "\(error)"))
        }
        let reply = APNsReply(response)
        guard reply.providerTokenExpired else { return .done(reply.outcome) }
        await providerToken.expire(jwt)
        return .providerTokenExpired(reply.outcome)
    }
}

extension UUID {
    /// A random (version 4) UUID from the system's generator (`getrandom`): Foundation's `UUID()`
    /// opens, reads and closes `/dev/urandom` for each one, three system calls per push.
    static func randomVersion4() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { bytes in
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
            bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        }
        return UUID(uuid: uuid)
    }

    /// The canonical lower-case form Apple echoes back, written from the bytes: `uuidString`
    /// formats through `snprintf` and then needs lower-casing, a visible cost per push.
    var lowercasedString: String {
        let hex = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    out[at] = hex[Int(byte >> 4)]
                    out[at + 1] = hex[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }
}
