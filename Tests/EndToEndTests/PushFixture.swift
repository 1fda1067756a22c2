import Crypto
import Foundation
import MockProviders
import Model
import Storage
import Testing
import ZmesTestSupport

/// A `zmes serve` with real credentials pointing at mock providers on loopback.
final class PushFixture: Sendable {
    static let teamID = "TEAM123456"
    static let keyID = "KEY1234567"
    static let topic = "com.example.zmninja"
    static let proxyKey = "proxy-key-0123456789"
    static let password = "pw-Alice-7731"

    let directory: String
    let authority: TestCertificateAuthority
    let apns: MockAPNs?
    let fcm: MockFCM?
    let proxy: MockProxy?
    let apnsKey = P256.Signing.PrivateKey()

    var caPath: String { directory + "/test-ca.pem" }
    var certificatePath: String { directory + "/zmes-data/zmes-cert.pem" }

    init(apns: Bool = false, fcm: Bool = false, proxy: Bool = false, extraConfig: String = "", registerCredentials: Bool = true) async throws {
        directory = Zmes.makeDirectory()
        authority = try TestCertificateAuthority()
        let key = apnsKey
        self.apns = apns ? try await MockAPNs(authority: authority, teamID: Self.teamID, keyID: Self.keyID, publicKey: key.publicKey, topic: Self.topic) : nil
        self.fcm = fcm ? try await MockFCM(authority: authority, projectID: "zmes-test") : nil
        self.proxy = proxy ? try await MockProxy(authority: authority, key: Self.proxyKey) : nil
        try authority.writeCA(to: caPath)
        try """
            server:
              address: 127.0.0.1
              port: \(try Zmes.freePort())
            admin:
              port: \(try Zmes.freePort())
            zoneminder:
              monitors: [{id: 1, name: Garage}, {id: 2, name: Porch}]
            \(extraConfig)
            """.write(toFile: directory + "/zmes.yml", atomically: true, encoding: .utf8)
        let added = try Zmes.run(["user", "add", "alice", "--password-stdin"], in: directory, input: Self.password + "\n")
        guard added.status == 0 else { throw TestFailure("user add failed: \(added.errors)") }
        if registerCredentials { try self.registerCredentials() }
    }

    func registerCredentials() throws {
        var yaml = ""
        if let apns {
            try apnsKey.pemRepresentation.write(toFile: directory + "/AuthKey.p8", atomically: true, encoding: .utf8)
            yaml += """
                apns:
                  - name: test-apns
                    key_file: AuthKey.p8
                    key_id: \(Self.keyID)
                    team_id: \(Self.teamID)
                    topic: \(Self.topic)
                    environment: sandbox
                    endpoint: \(apns.url)
                    ca_file: test-ca.pem

                """
        }
        if let fcm {
            try fcm.serviceAccountJSON().write(toFile: directory + "/service-account.json", atomically: true, encoding: .utf8)
            yaml += """
                fcm:
                  - name: test-fcm
                    service_account_file: service-account.json
                    endpoint: \(fcm.url)
                    ca_file: test-ca.pem

                """
        }
        if let proxy {
            yaml += """
                proxy:
                  - name: test-proxy
                    url: \(proxy.url)
                    key: "\(Self.proxyKey)"
                    ca_file: test-ca.pem

                """
        }
        try yaml.write(toFile: directory + "/credentials.yml", atomically: true, encoding: .utf8)
        let result = try Zmes.run(["credentials", "add", "--file", "credentials.yml"], in: directory)
        guard result.status == 0 else { throw TestFailure("credentials add failed: \(result.errors)") }
    }

    func start() async throws -> (server: RunningZmes, ports: (webSocket: Int, admin: Int)) {
        let server = try Zmes.start(["serve", "--log-level", "debug"], in: directory)
        do {
            return (server, try await server.waitForListening())
        } catch {
            server.terminateIfRunning()
            throw error
        }
    }

    func connect(_ ports: (webSocket: Int, admin: Int)) async throws -> TestClient {
        try await TestClient.connect(port: ports.webSocket, certificatePath: certificatePath)
    }

    /// Registers a device over the websocket, as a phone does.
    func register(_ client: TestClient, token: String, platform: String, state: String = "enabled") async throws {
        try await client.login("alice", Self.password, token: token)
        try await client.send(json: [
            "event": "push", "data": ["type": "token", "platform": platform, "token": token, "state": state, "appversion": "1.8.001"],
            "token": token,
        ])
        try await client.expectNoPendingMessage()
    }

    func alarm(monitor: Int = 1, event: Int, cause: String = "Motion") throws -> String {
        let result = try Zmes.run(["alarm", "--monitor", String(monitor), "--event", String(event), "--cause", cause], in: directory)
        guard result.status == 0 else { throw TestFailure("zmes alarm failed: \(result.errors)") }
        return result.output
    }

    func store() throws -> Store {
        try Store(path: directory + "/zmes-data/zmes.sqlite")
    }

    func shutdown() async {
        await apns?.shutdown()
        await fcm?.shutdown()
        await proxy?.shutdown()
    }
}

func jsonObject(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}
