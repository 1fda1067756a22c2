import Crypto
import Foundation
import Yams
import _CryptoExtras

/// A mistake in a credentials file, naming the entry and what is wrong with it.
public enum CredentialsFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notYAML(reason: String)
    case missingField(entry: String, field: String)
    case missingKeyFile(entry: String, path: String)
    case badKey(entry: String, reason: String)
    case badServiceAccount(entry: String, reason: String)
    case invalidValue(entry: String, field: String, reason: String)
    case empty

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .notYAML(let reason): return "not a valid credentials file: \(reason)"
        case .missingField(let entry, let field): return "\(entry): '\(field)' is required"
        case .missingKeyFile(let entry, let path): return "\(entry): key file \(path) does not exist"
        case .badKey(let entry, let reason): return "\(entry): the key does not parse: \(reason)"
        case .badServiceAccount(let entry, let reason): return "\(entry): bad service account: \(reason)"
        case .invalidValue(let entry, let field, let reason): return "\(entry): '\(field)' \(reason)"
        case .empty: return "the file defines no apns, fcm or proxy entries"
        }
    }
}

/// Reads a credentials file in the format of `Credentials.example`: loads every key
/// file, parses every key and signs a test token, so a broken file is refused whole.
public enum CredentialsFile {
    public static func load(path: String) throws(CredentialsFileError) -> [ProviderCredential] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(yaml: text, keyFiles: .directory(URL(fileURLWithPath: path).deletingLastPathComponent()))
    }

    /// Parses the file's text, reading the key files it names from `keyFiles`.
    public static func parse(yaml: String, keyFiles: KeyFiles) throws(CredentialsFileError) -> [ProviderCredential] {
        let root: Any?
        do {
            root = try Yams.load(yaml: yaml)
        } catch {
            throw .notYAML(reason: "\(error)")
        }
        guard let sections = root as? [String: Any] else { throw .notYAML(reason: "the top level must be a mapping with apns, fcm or proxy") }
        var credentials: [ProviderCredential] = []
        for key in sections.keys where !["apns", "fcm", "proxy"].contains(key) {
            throw .notYAML(reason: "unknown section '\(key)' (expected apns, fcm, proxy)")
        }
        for (index, entry) in try entries(sections["apns"], section: "apns").enumerated() {
            credentials.append(.apns(try apns(entry, label: "apns[\(index)]", keyFiles: keyFiles)))
        }
        for (index, entry) in try entries(sections["fcm"], section: "fcm").enumerated() {
            credentials.append(.fcm(try fcm(entry, label: "fcm[\(index)]", keyFiles: keyFiles)))
        }
        for (index, entry) in try entries(sections["proxy"], section: "proxy").enumerated() {
            credentials.append(.proxy(try proxy(entry, label: "proxy[\(index)]", keyFiles: keyFiles)))
        }
        guard !credentials.isEmpty else { throw .empty }
        var names = Set<String>()
        for credential in credentials where !names.insert(credential.name).inserted {
            throw .invalidValue(entry: credential.name, field: "name", reason: "is used twice")
        }
        return credentials
    }

    private static func entries(_ value: Any?, section: String) throws(CredentialsFileError) -> [[String: Any]] {
        guard let value else { return [] }
        guard let list = value as? [Any] else { throw .notYAML(reason: "'\(section)' must be a list of entries") }
        var result: [[String: Any]] = []
        for (index, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else { throw .notYAML(reason: "\(section)[\(index)] must be a mapping") }
            result.append(entry)
        }
        return result
    }

    private static func string(_ entry: [String: Any], _ field: String, label: String, required: Bool = true) throws(CredentialsFileError) -> String {
        let value = entry[field].map { "\($0)" } ?? ""
        if required && value.isEmpty { throw .missingField(entry: label, field: field) }
        return value
    }

    private static func caFile(_ entry: [String: Any], label: String, keyFiles: KeyFiles) throws(CredentialsFileError) -> String {
        try keyFiles.caFile(try string(entry, "ca_file", label: label, required: false), label: label)
    }

    private static func apns(_ entry: [String: Any], label: String, keyFiles: KeyFiles) throws(CredentialsFileError) -> APNsCredential {
        let name = try string(entry, "name", label: label)
        let label = "apns '\(name)'"
        let keyName = try string(entry, "key_file", label: label)
        let keyFile = keyFiles.contents(of: keyName)
        guard let keyData = keyFile.data else { throw .missingKeyFile(entry: label, path: keyFile.shown) }
        let keyPEM = String(decoding: keyData, as: UTF8.self)
        let credential = APNsCredential(
            name: name, keyPEM: keyPEM,
            keyID: try string(entry, "key_id", label: label),
            teamID: try string(entry, "team_id", label: label),
            topic: try string(entry, "topic", label: label),
            environment: try string(entry, "environment", label: label, required: false).isEmpty ? "production" : try string(entry, "environment", label: label),
            endpoint: try string(entry, "endpoint", label: label, required: false),
            caFile: try caFile(entry, label: label, keyFiles: keyFiles))
        guard ["production", "sandbox"].contains(credential.environment) else {
            throw .invalidValue(entry: label, field: "environment", reason: "must be production or sandbox")
        }
        do {
            let key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
            _ = try JWT.es256(keyID: credential.keyID, claims: ["iss": credential.teamID, "iat": 0], key: key)
        } catch {
            throw .badKey(entry: label, reason: "\(URL(fileURLWithPath: keyName).lastPathComponent) is not a P-256 private key in PEM (\(error))")
        }
        return credential
    }

    private static func fcm(_ entry: [String: Any], label: String, keyFiles: KeyFiles) throws(CredentialsFileError) -> FCMCredential {
        let name = try string(entry, "name", label: label)
        let label = "fcm '\(name)'"
        let accountFile = keyFiles.contents(of: try string(entry, "service_account_file", label: label))
        guard let data = accountFile.data else { throw .missingKeyFile(entry: label, path: accountFile.shown) }
        let account = try serviceAccount(data, label: label)
        return FCMCredential(
            name: name, serviceAccount: account,
            endpoint: try string(entry, "endpoint", label: label, required: false),
            caFile: try caFile(entry, label: label, keyFiles: keyFiles))
    }

    /// Parses a Google service-account JSON and proves its key signs.
    public static func serviceAccount(_ data: Data, label: String) throws(CredentialsFileError) -> ServiceAccount {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .badServiceAccount(entry: label, reason: "the file is not a JSON object")
        }
        func field(_ key: String) throws(CredentialsFileError) -> String {
            guard let value = object[key] as? String, !value.isEmpty else {
                throw .badServiceAccount(entry: label, reason: "'\(key)' is missing")
            }
            return value
        }
        let account = ServiceAccount(
            projectID: try field("project_id"),
            privateKeyID: (object["private_key_id"] as? String) ?? "",
            privateKeyPEM: try field("private_key"),
            clientEmail: try field("client_email"),
            tokenURI: try field("token_uri"))
        do {
            let key = try _RSA.Signing.PrivateKey(pemRepresentation: account.privateKeyPEM)
            _ = try JWT.rs256(keyID: account.privateKeyID, claims: ["iss": account.clientEmail], key: key)
        } catch {
            throw .badKey(entry: label, reason: "private_key is not an RSA key in PEM (\(error))")
        }
        return account
    }

    private static func proxy(_ entry: [String: Any], label: String, keyFiles: KeyFiles) throws(CredentialsFileError) -> ProxyCredential {
        let name = try string(entry, "name", label: label)
        let label = "proxy '\(name)'"
        let url = try string(entry, "url", label: label)
        guard url.hasPrefix("https://") else { throw .invalidValue(entry: label, field: "url", reason: "must be an https:// URL") }
        return ProxyCredential(
            name: name, url: url, key: try string(entry, "key", label: label),
            caFile: try caFile(entry, label: label, keyFiles: keyFiles))
    }
}
