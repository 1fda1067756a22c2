import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throwaway CA and a leaf certificate for localhost / 127.0.0.1 / ::1 signed by it (P-256, swift-certificates).
///
/// Clients under test verify the mocks with this CA (`CURLOPT_CAINFO`), so the
/// code path that users run — TLS verification on — is the one being tested.
public final class TestCertificateAuthority: Sendable {
    /// The CA certificate, PEM.
    public let caPEM: String
    /// The leaf (server) certificate, PEM.
    public let serverCertificatePEM: String
    /// The leaf's private key, PEM (SEC1).
    public let serverPrivateKeyPEM: String

    public init() throws {
        let caKey = P256.Signing.PrivateKey()
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let caName = try DistinguishedName {
            OrganizationName("zmes tests")
            CommonName("zmes throwaway test CA")
        }
        let caKeyID = SubjectKeyIdentifier(hash: caPublicKey)
        let ca = try Self.certificate(
            publicKey: caPublicKey, issuer: caName, subject: caName, issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyID
            })

        let leafKey = P256.Signing.PrivateKey()
        let leafPublicKey = Certificate.PublicKey(leafKey.publicKey)
        var ipv6Loopback = [UInt8](repeating: 0, count: 16)
        ipv6Loopback[15] = 1
        let leaf = try Self.certificate(
            publicKey: leafPublicKey, issuer: caName,
            subject: try DistinguishedName {
                OrganizationName("zmes tests")
                CommonName("localhost")
            },
            issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: ipv6Loopback[...])),
                ])
                SubjectKeyIdentifier(hash: leafPublicKey)
                AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
            })

        self.caPEM = try ca.serializeAsPEM().pemString
        self.serverCertificatePEM = try leaf.serializeAsPEM().pemString
        self.serverPrivateKeyPEM = leafKey.pemRepresentation
    }

    /// A P-256/SHA-256 certificate valid from an hour ago for a week.
    private static func certificate(
        publicKey: Certificate.PublicKey, issuer: DistinguishedName, subject: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey, extensions: Certificate.Extensions
    ) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(7 * 86400),
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(issuerKey)
        )
    }

    /// Writes `caPEM` to a file (clients use it as CURLOPT_CAINFO / --cacert).
    public func writeCA(to path: String) throws {
        try Data((caPEM + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Leaf + key, ALPN `h2` only: the mocks speak HTTP/2 and nothing else, like APNs.
    public func serverTLSConfiguration() throws -> NIOSSL.TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(serverCertificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(serverPrivateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)],
            privateKey: .privateKey(key)
        )
        configuration.applicationProtocols = ["h2"]
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// A client configuration that trusts only this CA and offers `h2` (for NIO-based test clients).
    public func clientTLSConfiguration() throws -> NIOSSL.TLSConfiguration {
        let ca = try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([ca])
        configuration.applicationProtocols = ["h2"]
        return configuration
    }
}
