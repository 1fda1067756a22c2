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
        try Zmes.writeConfig(directory, sections: "zoneminder:\n  monitors: [{id: 1, name: Garage}, {id: 2, name: Porch}]\n" + extraConfig)
        let added = try Zmes.run(["user", "add", "alice", "--password-stdin"], in: directory, input: Self.password + "\n")
        guard added.status == 0 else { throw TestFailure("user add failed: \(added.errors)") }
        if registerCredentials { try self.registerCredentials() }
    }

    func registerCredentials() throws {
        var yaml = ""
        if let apns { yaml += try apnsCredential(name: "test-apns", endpoint: apns.url) }
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
        try addCredentials(yaml)
    }

    /// Writes the APNs key file and returns the YAML of a credential with it for `endpoint`.
    func apnsCredential(name: String, endpoint: String) throws -> String {
        try apnsKey.pemRepresentation.write(toFile: directory + "/AuthKey.p8", atomically: true, encoding: .utf8)
        return """
            apns:
              - name: \(name)
                key_file: AuthKey.p8
                key_id: \(Self.keyID)
                team_id: \(Self.teamID)
                topic: \(Self.topic)
                environment: sandbox
                endpoint: \(endpoint)
                ca_file: test-ca.pem

            """
    }

    /// `zmes credentials add` of `yaml`, which must succeed.
    func addCredentials(_ yaml: String) throws {
        try yaml.write(toFile: directory + "/credentials.yml", atomically: true, encoding: .utf8)
        let result = try Zmes.run(["credentials", "add", "--file", "credentials.yml"], in: directory)
        guard result.status == 0 else { throw TestFailure("credentials add failed: \(result.errors)") }
    }

    /// Whether, within 20 s, the APNs and FCM mocks have accepted `apns` and `fcm` pushes.
    func eventuallyAccepted(apns apnsCount: Int, fcm fcmCount: Int) async -> Bool {
        guard let apns, let fcm else { return false }
        return await eventually {
            let accepted = (await apns.accepted().count, await fcm.accepted().count)
            return accepted == (apnsCount, fcmCount)
        }
    }

    /// Makes a fixture, runs `body` with it, then shuts its mock providers down and waits until
    /// they have, whether or not `body` threw.
    static func with<T>(
        apns: Bool = false, fcm: Bool = false, proxy: Bool = false, extraConfig: String = "", registerCredentials: Bool = true,
        _ body: (PushFixture) async throws -> T
    ) async throws -> T {
        let fixture = try await PushFixture(apns: apns, fcm: fcm, proxy: proxy, extraConfig: extraConfig, registerCredentials: registerCredentials)
        return try await withCleanup { try await body(fixture) } cleanup: { await fixture.shutdown() }
    }

    /// `with`, and a `zmes serve` of the fixture started for `body` (see `serving`).
    static func serving(
        apns: Bool = false, fcm: Bool = false, proxy: Bool = false, extraConfig: String = "", registerCredentials: Bool = true,
        _ body: (PushFixture, RunningZmes, Ports) async throws -> Void
    ) async throws {
        try await with(apns: apns, fcm: fcm, proxy: proxy, extraConfig: extraConfig, registerCredentials: registerCredentials) { fixture in
            try await fixture.serving { server, ports in try await body(fixture, server, ports) }
        }
    }

    /// A burst under way: `devices` iPhones registered straight in the store, APNs answering each push
    /// `responseDelay` seconds late, `zmes serve` started and one alarm sent. `body` gets the fixture,
    /// its APNs, the devices' tokens and the server.
    static func burst(
        devices: Int, responseDelay: TimeInterval,
        _ body: (PushFixture, MockAPNs, _ tokens: [String], RunningZmes) async throws -> Void
    ) async throws {
        try await with(apns: true) { fixture in
            let tokens = try await PushDeliveryTests.addDevices(devices, to: fixture.store())
            let apns = try #require(fixture.apns)
            await apns.setResponseDelay(responseDelay)
            try await fixture.serving { server, _ in
                _ = try fixture.alarm(event: 1)
                try await body(fixture, apns, tokens, server)
            }
        }
    }

    /// Runs `zmes serve --log-level debug` in the fixture's directory for `body` (see `Zmes.serving`).
    func serving<T>(_ body: (RunningZmes, Ports) async throws -> T) async throws -> T {
        try await Zmes.serving(in: directory, arguments: ["serve", "--log-level", "debug"], body)
    }

    func connect(_ ports: Ports) async throws -> TestClient {
        try await TestClient.connect(port: ports.webSocket, certificatePath: certificatePath)
    }

    /// Registers a device over the websocket, as a phone does.
    func register(_ client: TestClient, token: String, platform: String, state: String = "enabled") async throws {
        try await client.login("alice", Self.password, token: token)
        try await client.registerDevice(token: token, platform: platform, state: state, appVersion: "1.8.001")
    }

    /// A phone connected as alice with its device registered.
    func connectPhone(_ ports: Ports, token: String, platform: String, state: String = "enabled") async throws -> TestClient {
        let phone = try await connect(ports)
        try await register(phone, token: token, platform: platform, state: state)
        return phone
    }

    /// A phone that registered its device and closed its socket: served by push alone.
    func registerPhone(_ ports: Ports, token: String, platform: String, state: String = "enabled") async throws {
        let phone = try await connectPhone(ports, token: token, platform: platform, state: state)
        await phone.close()
    }

    func alarm(monitor: Int = 1, event: Int, cause: String = "Motion") throws -> String {
        let result = try Zmes.run(["alarm", "--monitor", String(monitor), "--event", String(event), "--cause", cause], in: directory)
        guard result.status == 0 else { throw TestFailure("zmes alarm failed: \(result.errors)") }
        return result.output
    }

    func store() throws -> any Store {
        try SQLiteStore(path: directory + "/zmes-data/zmes.sqlite")
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
