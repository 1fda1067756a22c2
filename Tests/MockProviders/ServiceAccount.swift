import _CryptoExtras
import Foundation

/// The Google service account a MockFCM trusts: a fresh RSA-2048 key and the
/// identifiers a real service-account JSON file carries.
struct ServiceAccount: Sendable {
    let projectID: String
    let privateKeyID: String
    let clientEmail: String
    let clientID: String
    let key: _RSA.Signing.PrivateKey

    init(projectID: String) throws {
        self.projectID = projectID
        self.privateKeyID = RandomText.hex(bytes: 20)
        self.clientEmail = "firebase-adminsdk-mock@\(projectID).iam.gserviceaccount.com"
        self.clientID = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
        self.key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    var publicKey: _RSA.Signing.PublicKey { key.publicKey }

    /// The JSON Google lets you download for a service account, with `token_uri` pointing at the mock.
    func json(tokenURI: String) -> String {
        let object: JSONValue = .object([
            "type": .string("service_account"),
            "project_id": .string(projectID),
            "private_key_id": .string(privateKeyID),
            "private_key": .string(key.pkcs8PEMRepresentation + "\n"),
            "client_email": .string(clientEmail),
            "client_id": .string(clientID),
            "auth_uri": .string("https://accounts.google.com/o/oauth2/auth"),
            "token_uri": .string(tokenURI),
            "auth_provider_x509_cert_url": .string("https://www.googleapis.com/oauth2/v1/certs"),
            "client_x509_cert_url": .string(
                "https://www.googleapis.com/robot/v1/metadata/x509/"
                    + (clientEmail.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? clientEmail)),
            "universe_domain": .string("googleapis.com"),
        ])
        return object.serialized
    }
}

/// Random identifiers for tokens and key ids.
enum RandomText {
    static func hex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
