import Crypto
import Foundation
import MockProviders
import NIOSSL
import SwiftASN1
import Testing
import X509
import ZmesTestSupport

/// The websocket listener's certificate and protocol versions, through the real `zmes serve`.
@Suite("TLS: generated certificate, versions, SIGHUP reload", .serialized)
struct TLSTests {
    static func fingerprint(_ der: [UInt8]) -> String {
        SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    static func der(ofPEM text: String) throws -> [UInt8] {
        try PEMDocument(pemString: text).derBytes
    }

    static func certificate(at path: String) throws -> Certificate {
        try Certificate(pemEncoded: try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("the generated certificate is a leaf for server.tls.hostnames: CA:false, no certificate signing, serverAuth, those SANs")
    func generatedCertificateIsALeaf() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory, server: ["tls:", #"  hostnames: [zmes.example.net, 192.0.2.7, "::1"]"#])
        try await Zmes.serving(in: directory) { server, ports in
            let certificate = try Self.certificate(at: directory + "/zmes-data/zmes-cert.pem")
            let constraints = try certificate.extensions.basicConstraints
            print("basicConstraints: \(String(describing: constraints))")
            #expect(constraints == .notCertificateAuthority)
            // No KeyUsage (so clients can trust the certificate itself); if one is ever added, it must not allow signing certificates.
            let usage = try certificate.extensions.keyUsage
            print("keyUsage: \(usage.map { "\($0)" } ?? "absent")")
            #expect(usage?.keyCertSign != true)
            #expect(usage?.cRLSign != true)
            let extended = try #require(try certificate.extensions.extendedKeyUsage)
            #expect(extended.contains(.serverAuth))
            let names = try #require(try certificate.extensions.subjectAlternativeNames)
            print("subjectAlternativeNames: \(Array(names))")
            #expect(Set(names) == [
                .dnsName("zmes.example.net"),
                .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 7])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ])
            // The certificate served is the one on disk, and the log names its fingerprint.
            let served = try await TLSProbe.peerCertificate(port: ports.webSocket)
            #expect(served == (try Self.der(ofPEM: String(contentsOfFile: directory + "/zmes-data/zmes-cert.pem", encoding: .utf8))))
            #expect(server.standardError.contains(Self.fingerprint(served)))
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("the generated key cannot vouch for another site: a certificate it signs is not trusted by one who trusts zmes's certificate")
    func generatedKeyCannotMintCertificates() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        try await Zmes.serving(in: directory) { server, ports in
            // A phone that trusts the generated certificate connects (BoringSSL verifying it as its own anchor).
            let phone = try await TestClient.connect(port: ports.webSocket, certificatePath: directory + "/zmes-data/zmes-cert.pem")
            await phone.close()
            #expect(try await server.terminate() == 0)

            let zmesCertificate = try Self.certificate(at: directory + "/zmes-data/zmes-cert.pem")
            let zmesKey = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: directory + "/zmes-data/zmes-key.pem", encoding: .utf8))
            let forgedKey = P256.Signing.PrivateKey()
            let forged = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(forgedKey.publicKey),
                notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(86_400),
                issuer: zmesCertificate.subject, subject: try DistinguishedName { CommonName("bank.example") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames([.dnsName("bank.example")])
                },
                issuerPrivateKey: zmesKey)
            var verifier = Verifier(rootCertificates: CertificateStore([zmesCertificate])) { RFC5280Policy() }
            let result = await verifier.validate(leaf: forged, intermediates: CertificateStore())
            switch result {
            case .validCertificate: print("a certificate for bank.example signed with zmes's key: trusted")
            case .couldNotValidate: print("a certificate for bank.example signed with zmes's key: not trusted")
            }
            if case .validCertificate = result { Issue.record("zmes's certificate can vouch for bank.example") }
        }
    }

    @Test("an older zmes's generated CA certificate is replaced by a leaf at start; the default names include localhost")
    func olderCACertificateIsReplaced() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        let authority = try TestCertificateAuthority()
        try FileManager.default.createDirectory(atPath: directory + "/zmes-data", withIntermediateDirectories: true)
        try authority.caPEM.write(toFile: directory + "/zmes-data/zmes-cert.pem", atomically: true, encoding: .utf8)
        try authority.serverPrivateKeyPEM.write(toFile: directory + "/zmes-data/zmes-key.pem", atomically: true, encoding: .utf8)
        try await Zmes.serving(in: directory) { server, _ in
            let certificate = try Self.certificate(at: directory + "/zmes-data/zmes-cert.pem")
            #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
            let names = Set(try #require(try certificate.extensions.subjectAlternativeNames))
            #expect(names.isSuperset(of: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]))
            #expect(server.standardError.contains("CA certificate"))
            // A second start keeps the leaf it made.
            #expect(try await server.terminate() == 0)
            try await Zmes.serving(in: directory) { again, _ throws in
                #expect(try Self.certificate(at: directory + "/zmes-data/zmes-cert.pem") == certificate)
                #expect(try await again.terminate() == 0)
            }
        }
    }

    @Test("TLS 1.1 handshakes are refused; 1.2 and 1.3 work")
    func tlsVersions() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        try await Zmes.serving(in: directory) { server, ports in
            var refused: (any Error)?
            do {
                _ = try await TLSProbe.peerCertificate(port: ports.webSocket, minimumVersion: .tlsv1, maximumVersion: .tlsv11)
            } catch {
                refused = error
            }
            print("TLS 1.1 handshake: \(refused.map { "refused (\($0))" } ?? "accepted")")
            #expect(refused != nil, "a TLS 1.1 handshake succeeded")
            let tls12 = try await TLSProbe.peerCertificate(port: ports.webSocket, minimumVersion: .tlsv12, maximumVersion: .tlsv12)
            let tls13 = try await TLSProbe.peerCertificate(port: ports.webSocket, minimumVersion: .tlsv13, maximumVersion: .tlsv13)
            print("TLS 1.2 and 1.3 handshakes: \(Self.fingerprint(tls12)), \(Self.fingerprint(tls13))")
            #expect(tls12 == tls13)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("SIGHUP: new connections get the new certificate; a bad pair is refused with an error and the last good one stays")
    func sighupReloadsTheCertificate() async throws {
        let directory = Zmes.makeDirectory()
        let first = try TestCertificateAuthority()
        let second = try TestCertificateAuthority()
        try first.serverCertificatePEM.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        try first.serverPrivateKeyPEM.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        try Zmes.writeConfig(directory, server: ["tls: {cert: cert.pem, key: key.pem}"])
        let firstDER = try Self.der(ofPEM: first.serverCertificatePEM)
        let secondDER = try Self.der(ofPEM: second.serverCertificatePEM)
        try await Zmes.serving(in: directory) { server, ports in
            #expect(try await TLSProbe.peerCertificate(port: ports.webSocket) == firstDER)

            try second.serverCertificatePEM.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
            try second.serverPrivateKeyPEM.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
            server.send(SIGHUP)
            #expect(await eventually { server.standardError.contains("TLS certificate reloaded") })
            let afterReload = try await TLSProbe.peerCertificate(port: ports.webSocket)
            print("after SIGHUP: \(Self.fingerprint(afterReload)) (new: \(Self.fingerprint(secondDER)), old: \(Self.fingerprint(firstDER)))")
            #expect(afterReload == secondDER)
            #expect(server.standardError.contains(Self.fingerprint(secondDER)))

            // A key that belongs to another certificate: refused, the second pair stays in use.
            try first.serverPrivateKeyPEM.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
            server.send(SIGHUP)
            #expect(await eventually { server.standardError.contains("cannot reload the TLS certificate") })
            print(server.standardError.split(separator: "\n").filter { $0.contains("cannot reload the TLS certificate") }.joined(separator: "\n"))
            #expect(try await TLSProbe.peerCertificate(port: ports.webSocket) == secondDER)

            // A certificate file that is not PEM at all: the same.
            try "not a certificate\n".write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
            try second.serverPrivateKeyPEM.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
            let errorsBefore = server.standardError.components(separatedBy: "cannot reload the TLS certificate").count
            server.send(SIGHUP)
            #expect(await eventually {
                server.standardError.components(separatedBy: "cannot reload the TLS certificate").count > errorsBefore
            })
            #expect(try await TLSProbe.peerCertificate(port: ports.webSocket) == secondDER)
            #expect(try await server.terminate() == 0)
        }
    }
}
