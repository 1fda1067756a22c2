import CurlClient
import Foundation
import Logging
import Model
import Storage

/// The credentials registered in the store, decoded; one per provider is used.
public struct CredentialSet: Sendable {
    public var credentials: [ProviderCredential]
    public var broken: [String: String]

    public static func load(from store: any Store, logger: Logger? = nil) async throws -> CredentialSet {
        var credentials: [ProviderCredential] = []
        var broken: [String: String] = [:]
        for stored in try await store.credentials() {
            do {
                credentials.append(try JSONDecoder().decode(ProviderCredential.self, from: stored.body))
                if let reason = stored.brokenReason { broken[stored.name] = reason }
            } catch {
                logger?.error("a stored credential cannot be read; register it again", metadata: ["credential": "\(stored.name)"])
            }
        }
        return CredentialSet(credentials: credentials, broken: broken)
    }

    /// Saves each credential, replacing one of the same name: what `zmes credentials add` and the
    /// console's upload do once the whole file is valid. A running server uses them after a reload.
    public static func register(_ credentials: [ProviderCredential], in store: any Store) async throws {
        for credential in credentials {
            try await store.saveCredential(name: credential.name, provider: credential.provider, body: try JSONEncoder().encode(credential))
        }
    }

    /// The credential used for a provider: the first by name.
    public func first(for provider: PushProvider) -> ProviderCredential? {
        credentials.filter { $0.provider == provider }.sorted { $0.name < $1.name }.first
    }

    public var selection: ProviderSelection {
        ProviderSelection(configured: Set([PushProvider.apns, .fcm].filter { first(for: $0) != nil }))
    }

    /// A sender per provider that has a credential.
    public func senders(client: CurlClient, store: (any Store)?, logger: Logger, telemetry: Telemetry = .disabled) -> [PushProvider: CredentialSender] {
        var senders: [PushProvider: CredentialSender] = [:]
        for provider in PushProvider.allCases {
            guard let credential = first(for: provider) else { continue }
            do {
                let sender: any PushSender
                switch credential {
                case .apns(let apns): sender = try APNsSender(credential: apns, client: client, store: store, telemetry: telemetry)
                case .fcm(let fcm): sender = try FCMSender(credential: fcm, client: client, telemetry: telemetry)
                case .proxy(let proxy): sender = ProxySender(credential: proxy, client: client)
                }
                senders[provider] = CredentialSender(credentialName: credential.name, sender: sender)
            } catch {
                logger.error("credential unusable; register it again", metadata: ["credential": "\(credential.name)", "error": "\(error)"])
            }
        }
        return senders
    }
}
