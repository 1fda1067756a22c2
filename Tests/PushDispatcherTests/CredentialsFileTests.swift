import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import PushDispatcher

@Suite("Credentials file")
struct CredentialsFileTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-creds-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func serviceAccount(dropping field: String? = nil) throws -> String {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        var object: [String: String] = [
            "type": "service_account", "project_id": "p1", "private_key_id": "kid1", "private_key": key.pemRepresentation,
            "client_email": "zmes@p1.iam.gserviceaccount.com", "token_uri": "https://oauth2.googleapis.com/token",
        ]
        if let field { object.removeValue(forKey: field) }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("a complete file loads every entry, with relative paths resolved beside it")
    func complete() throws {
        try write("AuthKey.p8", P256.Signing.PrivateKey().pemRepresentation)
        try write("sa.json", try serviceAccount())
        try write("creds.yml", """
            apns:
              - {name: ios, key_file: AuthKey.p8, key_id: ABC123DEFG, team_id: DEF123GHIJ, topic: com.example.app, environment: sandbox}
            fcm:
              - {name: firebase, service_account_file: sa.json}
            proxy:
              - {name: zmninja, url: "https://example.cloudfunctions.net/send_push", key: "k1"}
            """)
        let credentials = try CredentialsFile.load(path: directory.appendingPathComponent("creds.yml").path)
        #expect(credentials.map(\.name) == ["ios", "firebase", "zmninja"])
        guard case .apns(let apns) = credentials[0] else { Issue.record("not apns"); return }
        #expect(apns.baseURL == "https://api.sandbox.push.apple.com")
        guard case .fcm(let fcm) = credentials[1] else { Issue.record("not fcm"); return }
        #expect(fcm.sendURL == "https://fcm.googleapis.com/v1/projects/p1/messages:send")
        // Listings never show the secret.
        #expect(!credentials.map(\.summary).joined().contains("PRIVATE KEY"))
        #expect(!credentials[2].summary.contains("k1\""))
    }

    @Test("a missing key file is refused, naming the entry and the path")
    func missingKeyFile() throws {
        try write("creds.yml", "apns:\n  - {name: ios, key_file: Nope.p8, key_id: A, team_id: B, topic: t}\n")
        #expect(throws: CredentialsFileError.missingKeyFile(entry: "apns 'ios'", path: directory.appendingPathComponent("Nope.p8").path)) {
            try CredentialsFile.load(path: directory.appendingPathComponent("creds.yml").path)
        }
    }

    @Test("a key that does not parse is refused")
    func badKey() throws {
        let label = "PRIVATE " + "KEY"  // split so no key-looking literal is committed
        try write("AuthKey.p8", "-----BEGIN \(label)-----\nnot a key\n-----END \(label)-----\n")
        try write("creds.yml", "apns:\n  - {name: ios, key_file: AuthKey.p8, key_id: A, team_id: B, topic: t}\n")
        do {
            _ = try CredentialsFile.load(path: directory.appendingPathComponent("creds.yml").path)
            Issue.record("accepted a broken key")
        } catch {
            guard case .badKey(let entry, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(entry == "apns 'ios'")
        }
    }

    @Test("a service account without private_key, client_email or token_uri is refused, naming the field", arguments: ["private_key", "client_email", "token_uri"])
    func incompleteServiceAccount(field: String) throws {
        try write("sa.json", try serviceAccount(dropping: field))
        try write("creds.yml", "fcm:\n  - {name: firebase, service_account_file: sa.json}\n")
        #expect(throws: CredentialsFileError.badServiceAccount(entry: "fcm 'firebase'", reason: "'\(field)' is missing")) {
            try CredentialsFile.load(path: directory.appendingPathComponent("creds.yml").path)
        }
    }

    @Test("required fields, duplicate names and plain-http proxies are refused")
    func otherMistakes() throws {
        try write("AuthKey.p8", P256.Signing.PrivateKey().pemRepresentation)
        let cases: [(String, CredentialsFileError)] = [
            ("apns:\n  - {name: ios, key_file: AuthKey.p8, key_id: A, topic: t}\n", .missingField(entry: "apns 'ios'", field: "team_id")),
            ("proxy:\n  - {name: z, url: 'http://x/send', key: k}\n", .invalidValue(entry: "proxy 'z'", field: "url", reason: "must be an https:// URL")),
            ("proxy:\n  - {name: z, url: 'https://x/a', key: k}\n  - {name: z, url: 'https://x/b', key: k}\n", .invalidValue(entry: "z", field: "name", reason: "is used twice")),
            ("{}\n", .empty),
        ]
        for (text, expected) in cases {
            try write("creds.yml", text)
            #expect(throws: expected) { try CredentialsFile.load(path: directory.appendingPathComponent("creds.yml").path) }
        }
    }
}
