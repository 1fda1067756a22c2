import Crypto
import _CryptoExtras
import Foundation
import MockProviders

/// Provider tokens signed independently of the mocks' verifier, as a client would.
enum TestJWT {
    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// An APNs provider token: ES256, raw r‖s signature.
    static func apns(keyID: String, teamID: String, issuedAt: Date = Date(), key: P256.Signing.PrivateKey) throws -> String {
        let header = #"{"alg":"ES256","kid":"\#(keyID)"}"#
        let claims = #"{"iss":"\#(teamID)","iat":\#(Int(issuedAt.timeIntervalSince1970))}"#
        let input = base64url(header.utf8) + "." + base64url(claims.utf8)
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + base64url(signature)
    }

    /// A Google OAuth assertion for a service account JSON: RS256, kid = private_key_id.
    static func google(serviceAccount: JSONValue, issuedAt: Date = Date(), lifetime: Int = 3600) throws -> String {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: serviceAccount["private_key"]?.stringValue ?? "")
        let iat = Int(issuedAt.timeIntervalSince1970)
        let header: JSONValue = .object([
            "alg": .string("RS256"), "typ": .string("JWT"),
            "kid": serviceAccount["private_key_id"] ?? .null,
        ])
        let claims: JSONValue = .object([
            "iss": serviceAccount["client_email"] ?? .null,
            "scope": .string("https://www.googleapis.com/auth/firebase.messaging"),
            "aud": serviceAccount["token_uri"] ?? .null,
            "iat": .number(Double(iat)),
            "exp": .number(Double(iat + lifetime)),
        ])
        let input = base64url(header.serialized.utf8) + "." + base64url(claims.serialized.utf8)
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + base64url(signature.rawRepresentation)
    }
}
