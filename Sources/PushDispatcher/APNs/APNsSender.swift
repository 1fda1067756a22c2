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
    public init(credential: APNsCredential, client: CurlClient, store: Store? = nil, telemetry: Telemetry = .disabled) throws {
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
        let outcome = await attempt(message)
        if case .retry(let reason, _) = outcome, reason == "ExpiredProviderToken" {
            return await attempt(message)  // a fresh token, straight away
        }
        return outcome
    }

    private func attempt(_ message: PushMessage) async -> PushOutcome {
        let jwt: String
        if let fresh = providerToken.freshToken() {
            jwt = fresh
        } else {
            do {
                jwt = try await providerToken.token()
            } catch {
                return .credentialRejected(reason: "cannot sign the provider token: \(error)")
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
                ("apns-id", UUID().lowercasedString),
                ("content-type", "application/json"),
            ],
            body: APNsPayload.encode(message),
            caFile: credential.caFile.isEmpty ? nil : credential.caFile)
        let response: CurlResponse
        do {
            response = try await client.send(request)
        } catch {
            return .retry(reason: "\(error)", after: nil)
        }
        let outcome = APNsReply.classify(response)
        if case .retry(let reason, _) = outcome, reason == "ExpiredProviderToken" {
            await providerToken.expire(jwt)
        }
        return outcome
    }
}

/// Apple's replies, decided by status and `reason`, never by message text.
enum APNsReply {
    static func classify(_ response: CurlResponse) -> PushOutcome {
        if response.status == 200 { return .delivered }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let reason = object?["reason"] as? String ?? "HTTP \(response.status)"
        let retryAfter = response.headers["retry-after"].flatMap(Int.init).map { Duration.seconds($0) }
        switch (response.status, reason) {
        case (410, _):
            let timestamp = (object?["timestamp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1_000) }
            return .tokenGone(reason: reason, at: timestamp)
        case (400, "BadDeviceToken"):
            return .badToken(reason: reason)
        case (403, "ExpiredProviderToken"):
            return .retry(reason: reason, after: .zero)
        case (403, _):
            return .credentialRejected(reason: reason)  // InvalidProviderToken, BadCertificate, MissingProviderToken...
        case (429, _), (500...599, _):
            return .retry(reason: reason, after: retryAfter)
        default:
            return .failed(reason: reason)  // DeviceTokenNotForTopic, PayloadTooLarge...
        }
    }
}

extension UUID {
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
