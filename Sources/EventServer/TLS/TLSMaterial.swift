import Crypto
import Foundation
import NIOSSL
import Storage
import SwiftASN1
import X509

/// Why the websocket listener has no usable certificate.
public enum TLSMaterialError: Error, CustomStringConvertible, Sendable {
    case onlyOneFileGiven
    case unreadable(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case keyDoesNotMatch(certificate: String, key: String)

    public var description: String {
        switch self {
        case .onlyOneFileGiven:
            return "server.tls.cert and server.tls.key must both be set, or both left empty for a generated certificate"
        case .unreadable(let path, let reason): return "cannot load \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .keyDoesNotMatch(let certificate, let key):
            return "the key \(key) does not belong to the certificate \(certificate)"
        }
    }
}

/// The certificate and key the websocket listener serves.
public struct TLSMaterial: Sendable {
    public var certificatePath: String
    public var keyPath: String
    /// SHA-256 of the certificate's DER bytes, as `AA:BB:...`, for users to compare on their phones.
    public var fingerprint: String
    /// Why zmes created the pair on this start (nil: it did not).
    public var generatedBecause: String?

    public var generated: Bool { generatedBecause != nil }

    /// The configured pair, or a self-signed pair beside the store, made on first start and reused afterwards
    /// (made again when the one there is an older zmes's CA certificate, names other hosts, or is about to expire).
    public static func resolve(
        certificate: String, key: String, dataDirectory: String, hostnames: [String]
    ) throws -> TLSMaterial {
        switch (certificate.isEmpty, key.isEmpty) {
        case (false, false):
            return TLSMaterial(certificatePath: certificate, keyPath: key, fingerprint: try fingerprint(ofPEMFile: certificate), generatedBecause: nil)
        case (true, true):
            let certPath = dataDirectory + "/zmes-cert.pem"
            let keyPath = dataDirectory + "/zmes-key.pem"
            let names = try SelfSignedCertificate.alternativeNames(hostnames)
            let reason = SelfSignedCertificate.reasonToReplace(certificatePath: certPath, keyPath: keyPath, names: names)
            if reason != nil {
                // On SQLite the store made the folder; on PostgreSQL this may be the first file in it.
                do throws(PrivateFiles.Failure) {
                    try PrivateFiles.createDirectory(dataDirectory)
                } catch {
                    throw TLSMaterialError.cannotWrite(path: dataDirectory, reason: error.reason)
                }
                try SelfSignedCertificate.generate(certificatePath: certPath, keyPath: keyPath, names: names)
            }
            return TLSMaterial(certificatePath: certPath, keyPath: keyPath, fingerprint: try fingerprint(ofPEMFile: certPath), generatedBecause: reason)
        default:
            throw TLSMaterialError.onlyOneFileGiven
        }
    }

    /// Reads the pair as it is on disk now (at start and on SIGHUP): TLS 1.2 or later, and a key that matches.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSMaterialError.unreadable(path: certificatePath, reason: "\(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TLSMaterialError.unreadable(path: keyPath, reason: "\(error)")
        }
        guard let leaf = chain.first else {
            throw TLSMaterialError.unreadable(path: certificatePath, reason: "no certificate in the file")
        }
        guard Self.keyMatches(leaf: leaf, keyPath: keyPath) else {
            throw TLSMaterialError.keyDoesNotMatch(certificate: certificatePath, key: keyPath)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // TLS 1.0 and 1.1 are deprecated (RFC 8996); every supported phone speaks 1.2.
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Compares the leaf's public key with the key file's (when swift-certificates can read the key;
    /// BoringSSL checks the pair again when the context is made).
    static func keyMatches(leaf: NIOSSLCertificate, keyPath: String) -> Bool {
        guard let text = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let key = try? Certificate.PrivateKey(pemEncoded: text),
            let der = try? leaf.toDERBytes(),
            let certificate = try? Certificate(derEncoded: der)
        else { return true }
        return certificate.publicKey == key.publicKey
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
