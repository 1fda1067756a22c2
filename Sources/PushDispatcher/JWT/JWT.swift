import Crypto
import Foundation
import _CryptoExtras

/// Compact JWS tokens, as APNs (ES256) and Google's OAuth (RS256) want them.
enum JWT {
    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func signingInput(header: [String: String], claims: [String: any Sendable]) throws -> String {
        let headerJSON = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let claimsJSON = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        return base64URL(headerJSON) + "." + base64URL(claimsJSON)
    }

    /// ES256: the JOSE signature is the raw 64-byte r‖s, not DER.
    static func es256(keyID: String, claims: [String: any Sendable], key: P256.Signing.PrivateKey) throws -> String {
        let input = try signingInput(header: ["alg": "ES256", "kid": keyID, "typ": "JWT"], claims: claims)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + base64URL(signature.rawRepresentation)
    }

    /// RS256: RSASSA-PKCS1-v1_5 with SHA-256.
    static func rs256(keyID: String, claims: [String: any Sendable], key: _RSA.Signing.PrivateKey) throws -> String {
        let input = try signingInput(header: ["alg": "RS256", "kid": keyID, "typ": "JWT"], claims: claims)
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }
}
