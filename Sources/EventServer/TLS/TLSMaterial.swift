import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Why the websocket listener has no usable certificate.
public enum TLSMaterialError: Error, CustomStringConvertible, Sendable {
    case onlyOneFileGiven
    case unreadable(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .onlyOneFileGiven:
            return "server.tls.cert and server.tls.key must both be set, or both left empty for a generated certificate"
        case .unreadable(let path, let reason): return "cannot load \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}

/// The certificate and key the websocket listener serves.
public struct TLSMaterial: Sendable {
    public var certificatePath: String
    public var keyPath: String
    /// SHA-256 of the certificate's DER bytes, as `AA:BB:...`, for users to compare on their phones.
    public var fingerprint: String
    /// Whether zmes created the pair on this start.
    public var generated: Bool

    /// The configured pair, or a self-signed pair beside the store, made on first start and reused afterwards.
    public static func resolve(certificate: String, key: String, dataDirectory: String) throws -> TLSMaterial {
        switch (certificate.isEmpty, key.isEmpty) {
        case (false, false):
            return TLSMaterial(certificatePath: certificate, keyPath: key, fingerprint: try fingerprint(ofPEMFile: certificate), generated: false)
        case (true, true):
            let certPath = dataDirectory + "/zmes-cert.pem"
            let keyPath = dataDirectory + "/zmes-key.pem"
            var generated = false
            if !FileManager.default.fileExists(atPath: certPath) || !FileManager.default.fileExists(atPath: keyPath) {
                try generateSelfSigned(certificatePath: certPath, keyPath: keyPath)
                generated = true
            }
            return TLSMaterial(certificatePath: certPath, keyPath: keyPath, fingerprint: try fingerprint(ofPEMFile: certPath), generated: generated)
        default:
            throw TLSMaterialError.onlyOneFileGiven
        }
    }

    public func serverConfiguration() throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw TLSMaterialError.unreadable(path: "\(certificatePath) / \(keyPath)", reason: "\(error)")
        }
    }

    static func generateSelfSigned(certificatePath: String, keyPath: String) throws {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let name = try DistinguishedName {
            CommonName("zmes")
            OrganizationName("zmes self-signed")
        }
        var alternativeNames: [GeneralName] = [
            .dnsName("localhost"),
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
        ]
        let host = ProcessInfo.processInfo.hostName
        if !host.isEmpty && host != "localhost" { alternativeNames.append(.dnsName(host)) }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3_600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                KeyUsage(digitalSignature: true, keyCertSign: true)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        let certificatePEM = try certificate.serializeAsPEM().pemString
        do {
            try Data(key.pemRepresentation.utf8).write(to: URL(fileURLWithPath: keyPath), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        } catch {
            throw TLSMaterialError.cannotWrite(path: keyPath, reason: error.localizedDescription)
        }
        do {
            try Data((certificatePEM + "\n").utf8).write(to: URL(fileURLWithPath: certificatePath), options: .atomic)
        } catch {
            throw TLSMaterialError.cannotWrite(path: certificatePath, reason: error.localizedDescription)
        }
    }

    static func fingerprint(ofPEMFile path: String) throws -> String {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let document = try PEMDocument(pemString: text)
            return SHA256.hash(data: document.derBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
        } catch {
            throw TLSMaterialError.unreadable(path: path, reason: "\(error)")
        }
    }
}
