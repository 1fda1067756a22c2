import Crypto
import _CryptoExtras
import Foundation

/// A compact JWS split into its parts.
///
/// Parsing is separate from verification so each mock can answer with its
/// provider's own reason for the first thing that is wrong.
struct CompactJWT: Sendable {
    var header: JSONValue
    var claims: JSONValue
    /// ASCII "base64url(header).base64url(claims)", the bytes that were signed.
    var signingInput: [UInt8]
    var signature: [UInt8]

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let claimBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = JSONValue.parse(headerBytes), header.objectValue != nil,
              let claims = JSONValue.parse(claimBytes), claims.objectValue != nil
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }
}

/// Signature checks the real services perform on provider tokens.
enum JWTVerifier {
    /// ES256 as JOSE defines it: the signature is the raw 64-byte r‖s, not DER
    /// (a DER signature, the classic client bug, fails here as it does at Apple).
    static func verifyES256(_ jwt: CompactJWT, key: P256.Signing.PublicKey) -> Bool {
        guard jwt.signature.count == 64,
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: jwt.signature)
        else { return false }
        return key.isValidSignature(signature, for: jwt.signingInput)
    }

    /// RS256: RSASSA-PKCS1-v1_5 with SHA-256, as Google's token endpoint requires.
    static func verifyRS256(_ jwt: CompactJWT, key: _RSA.Signing.PublicKey) -> Bool {
        guard jwt.signature.count == key.keySizeInBits / 8 else { return false }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: jwt.signature)
        return key.isValidSignature(signature, for: jwt.signingInput, padding: .insecurePKCS1v1_5)
    }
}
