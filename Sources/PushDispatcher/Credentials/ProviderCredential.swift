import Crypto
import Foundation
import Model

/// An APNs token-auth key (`.p8`) with the ids Apple issued for it.
public struct APNsCredential: Codable, Sendable, Equatable {
    public var name: String
    public var keyPEM: String
    public var keyID: String
    public var teamID: String
    public var topic: String
    public var environment: String
    public var endpoint: String
    public var caFile: String

    /// The endpoint to call: the override, or Apple's production or sandbox host.
    public var baseURL: String {
        if !endpoint.isEmpty { return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint }
        return environment == "sandbox" ? "https://api.sandbox.push.apple.com" : "https://api.push.apple.com"
    }
}

/// The fields of a Google service-account JSON that FCM HTTP v1 needs.
public struct ServiceAccount: Codable, Sendable, Equatable {
    public var projectID: String
    public var privateKeyID: String
    public var privateKeyPEM: String
    public var clientEmail: String
    public var tokenURI: String
}

public struct FCMCredential: Codable, Sendable, Equatable {
    public var name: String
    public var serviceAccount: ServiceAccount
    public var endpoint: String
    public var caFile: String

    public var sendURL: String {
        let base = endpoint.isEmpty ? "https://fcm.googleapis.com" : (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint)
        return "\(base)/v1/projects/\(serviceAccount.projectID)/messages:send"
    }
}

/// The zmNinja cloud function and the key from an existing zmeventnotification setup.
public struct ProxyCredential: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var key: String
    public var caFile: String
}

/// One registered credential, whatever its provider.
public enum ProviderCredential: Codable, Sendable, Equatable {
    case apns(APNsCredential)
    case fcm(FCMCredential)
    case proxy(ProxyCredential)

    public var name: String {
        switch self {
        case .apns(let c): return c.name
        case .fcm(let c): return c.name
        case .proxy(let c): return c.name
        }
    }

    public var provider: PushProvider {
        switch self {
        case .apns: return .apns
        case .fcm: return .fcm
        case .proxy: return .proxy
        }
    }

    /// What `credentials list` shows: ids and a fingerprint, never the secret.
    public var summary: String {
        switch self {
        case .apns(let c):
            return "key \(c.keyID), team \(c.teamID), topic \(c.topic), \(c.environment), key sha256 \(Self.fingerprint(c.keyPEM))"
        case .fcm(let c):
            return "project \(c.serviceAccount.projectID), \(c.serviceAccount.clientEmail), key id \(c.serviceAccount.privateKeyID.prefix(8))…"
        case .proxy(let c):
            return "\(c.url), key sha256 \(Self.fingerprint(c.key))"
        }
    }

    static func fingerprint(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
