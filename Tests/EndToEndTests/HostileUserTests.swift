import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// What one logged-in user can do to the server or to other users, through the built `zmes`
/// (ISSUE 11, "One logged-in user must not be able to hurt the server or other users").
@Suite("Hostile users", .serialized)
struct HostileUserTests {
    static let aliceToken = String(repeating: "a11ce0", count: 11)  // 66 hex digits
    static let bobPassword = "pw-Bob-5521"

    /// Adds bob, who may see monitor 2 only.
    func addBob(_ fixture: PushFixture) throws {
        let added = try Zmes.run(["user", "add", "bob", "--monitors", "2", "--password-stdin"], in: fixture.directory, input: Self.bobPassword + "\n")
        guard added.status == 0 else { throw TestFailure("user add failed: \(added.errors)") }
    }

    func report(_ output: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
    }

    func badge(_ push: APNsPush) -> Int? {
        (jsonObject(push.payloadBytes)["aps"] as? [String: Any])?["badge"] as? Int
    }

    @Test("a badge beyond 0...99,999 gets BADBADGE and changes nothing; pushes saturate at 99,999")
    func badgeBounds() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            let phone = try await fixture.connectPhone(ports, token: Self.aliceToken, platform: "ios")

            try await phone.send(json: ["event": "push", "data": ["type": "badge", "badge": "99998"], "token": Self.aliceToken])
            try await phone.expectNoPendingMessage()
            for bad: Any in ["9223372036854775806", "9223372036854775807", "100000", "-1", "many", 1e300] {
                try await phone.send(json: ["event": "push", "data": ["type": "badge", "badge": bad], "token": Self.aliceToken])
                let reply = try await phone.receive()
                expectReply(reply, event: "push", type: "badge", status: "Fail")
                #expect(reply["reason"] as? String == "BADBADGE", "badge \(bad): \(reply)")
            }
            let listed = try Zmes.json(["token", "list", "--json"], in: fixture.directory)
            #expect(listed.first?["badge"] as? Int == 99_998)

            // Three alarms: 99,999, then the count stays there; the server keeps running.
            let apns = try #require(fixture.apns)
            for event in 1...3 {
                _ = try fixture.alarm(event: event)
                #expect(await eventually { await apns.accepted().count == event })
            }
            #expect(await apns.accepted().map(badge) == [99_999, 99_999, 99_999])
            #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).first?["badge"] as? Int == 99_999)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("bob's socket with alice's token gets none of alice's alarms and nothing outside bob's monitors")
    func anotherUsersToken() async throws {
        try await PushFixture.with(apns: true) { fixture in
            try addBob(fixture)
            try await fixture.serving { server, ports in
                // Alice's device is served over its socket (disabled): it counts only while her socket is open.
                try await fixture.registerPhone(ports, token: Self.aliceToken, platform: "ios", state: "disabled")

                let bob = try await fixture.connect(ports)
                try await bob.login("bob", Self.bobPassword, token: Self.aliceToken)
                let garage = report(try fixture.alarm(monitor: 1, event: 101))
                #expect(garage["devicesNotified"] as? Int == 0, "alice's disabled device counted as connected: \(garage)")
                #expect(garage["websocketDeliveries"] as? Int == 0)
                try await bob.expectNoPendingMessage()  // monitor 1 is not bob's

                // Monitor 2 is bob's: he gets it as himself, not as alice's device.
                let porch = report(try fixture.alarm(monitor: 2, event: 102))
                #expect(porch["devicesNotified"] as? Int == 0)
                let alarm = try await bob.receive()
                #expect(alarm["event"] as? String == "alarm")
                #expect((alarm["events"] as? [[String: Any]])?.first?["MonitorId"] as? String == "2")
                try await bob.expectNoPendingMessage()

                // Alice back on her own device, bob's socket newer: alice gets her alarm, bob still nothing.
                let aliceAgain = try await fixture.connect(ports)
                try await aliceAgain.login("alice", PushFixture.password, token: Self.aliceToken)
                let bobLater = try await fixture.connect(ports)
                try await bobLater.login("bob", Self.bobPassword, token: Self.aliceToken)
                let again = report(try fixture.alarm(monitor: 1, event: 103))
                #expect(again["devicesNotified"] as? Int == 1)
                #expect(try await aliceAgain.receive()["event"] as? String == "alarm")
                try await bob.expectNoPendingMessage()
                try await bobLater.expectNoPendingMessage()
                #expect(server.standardError.contains("auth token ignored: the device belongs to another user"))
                #expect(await fixture.apns!.requests().isEmpty)
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("registering a token another user owns moves the device to the registering user, logged at notice level")
    func tokenMovesBetweenUsers() async throws {
        try await PushFixture.with(apns: true) { fixture in
            try addBob(fixture)
            try await fixture.serving { server, ports in
                try await fixture.registerPhone(ports, token: Self.aliceToken, platform: "ios")
                #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).map { $0["user"] as? String } == ["alice"])

                // The phone switched accounts.
                let phone = try await fixture.connect(ports)
                try await phone.login("bob", Self.bobPassword, token: Self.aliceToken)
                try await phone.send(json: [
                    "event": "push", "data": ["type": "token", "platform": "ios", "token": Self.aliceToken, "state": "enabled"], "token": Self.aliceToken,
                ])
                try await phone.expectNoPendingMessage()
                let devices = try Zmes.json(["token", "list", "--json"], in: fixture.directory)
                #expect(devices.count == 1)
                #expect(devices.first?["user"] as? String == "bob")
                let moved = server.standardError.split(separator: "\n").first { $0.contains("device moved to another user") }
                #expect(moved?.contains("notice") == true)
                #expect(moved?.contains("from=alice") == true)
                #expect(moved?.contains("to=bob") == true)

                // Now the device gets bob's alarms only: monitor 1 is not his.
                let apns = try #require(fixture.apns)
                #expect(report(try fixture.alarm(monitor: 1, event: 201))["devicesNotified"] as? Int == 0)
                #expect(report(try fixture.alarm(monitor: 2, event: 202))["devicesNotified"] as? Int == 1)
                #expect(await eventually { await apns.accepted().count == 1 })
                #expect(jsonObject(await apns.accepted()[0].payloadBytes)["mid"] as? String == "2")
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("push tokens are checked for length and characters: BADTOKEN and nothing stored")
    func tokenValidation() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            let client = try await fixture.connect(ports)
            try await client.login("alice", PushFixture.password)
            let bad = [
                "fcm-token\nforged", "token with spaces", "tökén", "token\"quote",
                String(repeating: "A", count: 4_097),  // FCM's alphabet, over 4 KiB
                String(repeating: "ab", count: 101),  // 202 hex digits: too long for APNs
            ]
            for token in bad {
                for platform in ["ios", "android"] {
                    try await client.send(json: ["event": "push", "data": ["type": "token", "platform": platform, "token": token, "state": "enabled"]])
                    let reply = try await client.receive()
                    expectReply(reply, event: "push", type: "token", status: "Fail")
                    #expect(reply["reason"] as? String == "BADTOKEN", "\(token.prefix(20)) (\(token.count)): \(reply)")
                }
            }
            #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).isEmpty)

            let good = [
                String(repeating: "0f", count: 32), String(repeating: "AB", count: 100),
                "dAndroidFcmToken:APA91bExample_0123-4567.89", String(repeating: "x", count: 4_096),
            ]
            for token in good {
                try await client.send(json: ["event": "push", "data": ["type": "token", "platform": "android", "token": token, "state": "enabled"]])
                try await client.expectNoPendingMessage()
            }
            let stored = try Zmes.json(["token", "list", "--json"], in: fixture.directory).compactMap { $0["token"] as? String }
            #expect(Set(stored) == Set(good))
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("user names in log lines are escaped (no forged line) and capped at 64 characters")
    func userNamesInLogs() async throws {
        try await PushFixture.serving(registerCredentials: false) { fixture, server, ports in
            let forged = "1999-01-01T00:00:00+0000 critical zmes : [EventServer] store corrupted"
            for name in ["mallory\n" + forged, String(repeating: "x", count: 3_000)] {
                let client = try await fixture.connect(ports)
                try await client.send(json: ["event": "auth", "data": ["user": name, "password": "wrong", "appversion": "1"], "token": ""])
                #expect(try await client.receive()["reason"] as? String == "BADAUTH")
                await client.close()
            }
            #expect(await eventually { server.standardError.components(separatedBy: "login failed").count == 3 })
            let lines = server.standardError.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("1999-01-01") })
            #expect(server.standardError.contains(#"mallory\n1999-01-01"#))
            #expect(!server.standardError.contains(String(repeating: "x", count: 65)))
            #expect(server.standardError.contains(String(repeating: "x", count: 64) + "…"))
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("a huge monitor name and cause still make pushes APNs, FCM and the proxy accept")
    func hugeAlertText() async throws {
        let name = String(repeating: "Garage ", count: 1_500)
        let cause = String(repeating: "Motion: \u{1}é🚨 ", count: 1_000)
        let android = "dAndroidFcmToken:APA91bExample_0123456789abcdefghijklmnopqrstuvwxyz"
        for providers in [(apns: true, fcm: true, proxy: false), (apns: false, fcm: false, proxy: true)] {
            try await PushFixture.serving(apns: providers.apns, fcm: providers.fcm, proxy: providers.proxy) { fixture, server, ports in
                try await fixture.registerPhone(ports, token: Self.aliceToken, platform: "ios")
                try await fixture.registerPhone(ports, token: android, platform: "android")
                let result = try Zmes.run(["alarm", "--monitor", "1", "--event", "77", "--name", name, "--cause", cause], in: fixture.directory)
                #expect(result.status == 0, "\(result.errors)")
                var titles: [String] = []
                if let apns = fixture.apns, let fcm = fixture.fcm {
                    #expect(await fixture.eventuallyAccepted(apns: 1, fcm: 1))
                    let aps = jsonObject(try #require(await apns.accepted().first).payloadBytes)["aps"] as? [String: Any]
                    titles.append(((aps?["alert"] as? [String: Any])?["title"] as? String) ?? "")
                    #expect(try #require(await apns.accepted().first).payloadBytes.count <= 4_096)
                    let notification = try #require(await fcm.accepted().first?.messageObject())["notification"] as? [String: Any]
                    titles.append(notification?["title"] as? String ?? "")
                }
                if let proxy = fixture.proxy {
                    #expect(await eventually { await proxy.accepted().count == 2 })
                    titles += await proxy.accepted().map { $0.bodyObject()?["title"] as? String ?? "" }
                }
                #expect(titles.count == 2)
                #expect(titles.allSatisfy { $0.hasPrefix("Garage Garage") && $0.hasSuffix("…") })
                #expect(try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).isEmpty)
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("APNs BadDeviceToken removes a token that never got a 200; one that did stays")
    func neverValidTokens() async throws {
        try await PushFixture.with(apns: true) { fixture in
            let fake = String(repeating: "fa4e", count: 16)
            let real = Self.aliceToken
            try await fixture.serving { server, ports in
                for token in [fake, real] {
                    try await fixture.registerPhone(ports, token: token, platform: "ios")
                }
                let apns = try #require(fixture.apns)
                await apns.injectAPNsError(status: 400, reason: "BadDeviceToken", deviceToken: fake)
                _ = try fixture.alarm(event: 1)
                #expect(try await eventually { try Zmes.json(["token", "list", "--json"], in: fixture.directory).count == 1 })
                #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).first?["token"] as? String == real)
                #expect(await apns.accepted().map(\.deviceToken) == [real])
                let failed = try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory)
                #expect(failed.map { $0["lastError"] as? String } == ["token removed: BadDeviceToken"])

                // The real token got a 200: a later BadDeviceToken dead-letters the push but keeps the device.
                await apns.injectAPNsError(status: 400, reason: "BadDeviceToken", deviceToken: real)
                _ = try fixture.alarm(event: 2)
                #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 2 })
                #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).map { $0["token"] as? String } == [real])

                // The fake token costs no provider call any more.
                _ = try fixture.alarm(event: 3)
                #expect(await eventually { await apns.accepted().count == 2 })
                let toFake = await apns.requests().filter { $0.path.hasSuffix(fake) }
                #expect(toFake.count == 1)
                #expect(try await server.terminate() == 0)
            }
        }
    }
}
