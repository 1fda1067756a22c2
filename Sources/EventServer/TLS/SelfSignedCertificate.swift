import Crypto
import Foundation
import Storage
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The certificate zmes makes for itself when none is configured: a leaf (CA:false, serverAuth)
/// for the configured host names, never a CA whose key could vouch for any site.
enum SelfSignedCertificate {
    /// Apple's limit for TLS server certificates (825 days); renewed when 30 days are left.
    static let lifetime: TimeInterval = 825 * 86_400
    static let renewBefore: TimeInterval = 30 * 86_400

    /// `server.tls.hostnames` as subject alternative names; empty means localhost, 127.0.0.1, ::1 and this host's name.
    static func alternativeNames(_ hostnames: [String]) throws -> [GeneralName] {
        var entries = hostnames
        if entries.isEmpty {
            entries = ["localhost", "127.0.0.1", "::1"]
            let host = ProcessInfo.processInfo.hostName
            if !host.isEmpty, host != "localhost", ipAddressBytes(host) == nil { entries.append(host) }
        }
        var names: [GeneralName] = []
        for entry in entries {
            let name: GeneralName = ipAddressBytes(entry).map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) } ?? .dnsName(entry)
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The bytes of an IPv4 or IPv6 address (brackets allowed), or nil for a DNS name.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Why the pair on disk cannot be served as it is, or nil when it can.
    static func reasonToReplace(certificatePath: String, keyPath: String, names: [GeneralName], now: Date = Date()) -> String? {
        guard FileManager.default.fileExists(atPath: certificatePath), FileManager.default.fileExists(atPath: keyPath) else {
            return "no certificate yet"
        }
        guard let text = try? String(contentsOfFile: certificatePath, encoding: .utf8),
            let certificate = try? Certificate(pemEncoded: text)
        else { return "the certificate there is unreadable" }
        if let constraints = try? certificate.extensions.basicConstraints, constraints != .notCertificateAuthority {
            return "the certificate there is a CA certificate (made by an older zmes)"
        }
        let present = (try? certificate.extensions.subjectAlternativeNames).map { Array($0) } ?? []
        if Set(present) != Set(names) {
            return "server.tls.hostnames changed"
        }
        if certificate.notValidAfter < now.addingTimeInterval(renewBefore) {
            return "the certificate there expires on \(certificate.notValidAfter)"
        }
        return nil
    }

    static func generate(certificatePath: String, keyPath: String, names: [GeneralName]) throws {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let commonName: String = names.lazy.compactMap { name -> String? in
            if case .dnsName(let dns) = name { return dns }
            return nil
        }.first ?? "zmes"
        let name = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("zmes self-signed")
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let keyIdentifier = SubjectKeyIdentifier(hash: publicKey)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3_600),
            notValidAfter: now.addingTimeInterval(lifetime),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                // CA:false: the key cannot vouch for any other certificate.
                Critical(BasicConstraints.notCertificateAuthority)
                // No KeyUsage extension: BoringSSL and OpenSSL 1.1 do not accept a self-signed certificate as
                // its own trust anchor when KeyUsage lacks keyCertSign, and keyCertSign needs CA:true (RFC 5280).
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                keyIdentifier
                AuthorityKeyIdentifier(keyIdentifier: keyIdentifier.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        let certificatePEM = try certificate.serializeAsPEM().pemString
        do throws(PrivateFiles.Failure) {
            try PrivateFiles.writeSecret(Array(key.pemRepresentation.utf8), to: keyPath)
        } catch {
            throw TLSMaterialError.cannotWrite(path: keyPath, reason: error.reason)
        }
        do {
            try Data((certificatePEM + "\n").utf8).write(to: URL(fileURLWithPath: certificatePath), options: .atomic)
        } catch {
            throw TLSMaterialError.cannotWrite(path: certificatePath, reason: error.localizedDescription)
        }
    }
}
