import Foundation
import MockProviders
import Testing
import ZmesTestSupport

@Suite("Operations", .serialized)
struct OperationsTests {
    @Test("SIGTERM in the middle of a burst exits 0 and loses nothing: the rest is delivered after the next start")
    func sigtermDuringBurst() async throws {
        try await PushFixture.burst(devices: 1_500, responseDelay: 0.5) { fixture, apns, tokens, server in
            #expect(await eventually { await apns.accepted().count >= 200 })
            #expect(try await server.terminate(timeout: .seconds(30)) == 0)
            #expect(await apns.accepted().count < 1_500)
            await apns.setResponseDelay(0)
            try await fixture.serving { server, _ throws in
                #expect(await eventually(timeout: .seconds(60)) { Set(await apns.accepted().map(\.deviceToken)).count == 1_500 })
                #expect(Set(await apns.accepted().map(\.deviceToken)) == Set(tokens))
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("no password, device token, key or bearer token appears in the log of a full run at debug level")
    func secretsNeverLogged() async throws {
        try await PushFixture.serving(apns: true, fcm: true) { fixture, server, ports in  // --log-level debug
            let iosToken = String(repeating: "9c8b7a6f", count: 8)
            let androidToken = "fT9xAndroidToken:APA91bHdKq_0123456789_abcdefghijklmnopqrstuvwxyz"
            let phone = try await fixture.connectPhone(ports, token: iosToken, platform: "ios")
            let android = try await fixture.connectPhone(ports, token: androidToken, platform: "android")
            let intruder = try await fixture.connect(ports)
            try await intruder.send(json: ["event": "auth", "data": ["user": "mallory", "password": "wrong-password-xyz"]])
            _ = try await intruder.receive()

            let apns = try #require(fixture.apns)
            let fcm = try #require(fixture.fcm)
            _ = try fixture.alarm(event: 1)
            #expect(await fixture.eventuallyAccepted(apns: 1, fcm: 1))
            await apns.injectAPNsError(status: 403, reason: "InvalidProviderToken")
            await fcm.revokeAccessTokens()
            _ = try fixture.alarm(event: 2)
            #expect(await eventually { (await fcm.accepted().count) == 2 })
            #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 1 })
            await phone.close()
            await android.close()
            #expect(try await server.terminate() == 0)

            let log = server.standardError + server.standardOutput
            #expect(log.contains("push delivered"))  // the log did capture the run
            var secrets = [
                PushFixture.password, "wrong-password-xyz", iosToken, androidToken, PushFixture.proxyKey,
                String(fixture.apnsKey.pemRepresentation.split(separator: "\n")[1]),
            ]
            secrets += Set(await apns.accepted().map(\.providerToken))
            secrets += Set(await fcm.accepted().map(\.accessToken))
            let serviceAccount = try JSONSerialization.jsonObject(with: Data(fcm.serviceAccountJSON().utf8)) as? [String: Any]
            if let privateKey = serviceAccount?["private_key"] as? String {
                secrets.append(String(privateKey.split(separator: "\n")[1]))
            }
            for secret in secrets where !secret.isEmpty {
                #expect(!log.contains(secret), "a secret reached the log: \(secret.prefix(12))…")
            }
        }
    }

    @Test("SIGHUP reloads credentials without dropping sessions: queued pushes go out once a credential arrives")
    func sighupReloadsCredentials() async throws {
        try await PushFixture.serving(proxy: true, registerCredentials: false) { fixture, server, ports in
            let android = try await fixture.connectPhone(ports, token: PushDeliveryTests.androidToken, platform: "android")
            _ = try fixture.alarm(event: 1)
            _ = try await android.receive()  // the websocket copy
            try await Task.sleep(for: .seconds(1))
            let proxy = try #require(fixture.proxy)
            #expect(await proxy.requests().isEmpty)  // no credential yet: the push waits in the outbox
            #expect(try Zmes.json(["push", "list", "--json", "--state", "queued"], in: fixture.directory).count == 1)

            try fixture.registerCredentials()
            server.send(SIGHUP)
            #expect(await eventually { await proxy.accepted().count == 1 })
            #expect(await eventually { server.standardError.contains("credentials reloaded") })
            try await android.expectNoPendingMessage()  // the session survived the reload
            await android.close()
            #expect(try await server.terminate() == 0)
        }
    }
}
