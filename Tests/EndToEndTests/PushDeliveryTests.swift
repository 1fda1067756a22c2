import CurlClient
import Foundation
import MockProviders
import Model
import Storage
import Testing
import ZmesTestSupport

/// The push path end to end: `zmes serve`, a websocket client registering devices,
/// the libcurl dispatcher, and mock providers speaking HTTP/2 over TLS.
@Suite("Push delivery", .serialized)
struct PushDeliveryTests {
    static let iosToken = String(repeating: "1f2e3d4c", count: 8)
    static let androidToken = "dAndroidFcmToken:APA91bExample_0123456789abcdefghijklmnopqrstuvwxyz"

    @Test("APNs and FCM get the exact payloads; the badge goes 1, 2, 3, back to 1 after a reset, and survives a restart")
    func apnsAndFCM() async throws {
        try await PushFixture.serving(apns: true, fcm: true) { fixture, server, ports in
            let phone = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios")
            let android = try await fixture.connectPhone(ports, token: Self.androidToken, platform: "android")

            for event in 1...3 {
                _ = try fixture.alarm(event: 5060 + event, cause: "Motion: Driveway")
            }
            let apns = try #require(fixture.apns)
            let fcm = try #require(fixture.fcm)
            #expect(await fixture.eventuallyAccepted(apns: 3, fcm: 3))

            // Sent concurrently, so they may arrive in any order: order them by event id.
            func eventID(_ payload: [String: Any]) -> String { payload["eid"] as? String ?? "" }
            let pushes = await apns.accepted().sorted { eventID(jsonObject($0.payloadBytes)) < eventID(jsonObject($1.payloadBytes)) }
            #expect(pushes.map(\.deviceToken) == Array(repeating: Self.iosToken, count: 3))
            let first = jsonObject(pushes[0].payloadBytes)
            let aps = try #require(first["aps"] as? [String: Any])
            let alert = try #require(aps["alert"] as? [String: Any])
            #expect(alert["title"] as? String == "Garage Alarm (5061)")
            #expect((alert["body"] as? String)?.hasPrefix("Motion: Driveway at ") == true)
            #expect(aps["sound"] as? String == "default")
            #expect(first["mid"] as? String == "1")
            #expect(first["eid"] as? String == "5061")
            #expect(first["notification_foreground"] as? String == "true")
            #expect(pushes[0].headers["apns-topic"] == PushFixture.topic)
            #expect(pushes[0].headers["apns-push-type"] == "alert")
            #expect(pushes[0].headers["apns-priority"] == "10")
            let badges = pushes.map { (jsonObject($0.payloadBytes)["aps"] as? [String: Any])?["badge"] as? Int }
            #expect(badges == [1, 2, 3])
            #expect(!String(decoding: pushes[0].payloadBytes, as: UTF8.self).contains("secret"))

            let messages = await fcm.accepted().sorted {
                (($0.messageObject()?["data"] as? [String: String])?["eid"] ?? "") < (($1.messageObject()?["data"] as? [String: String])?["eid"] ?? "")
            }
            #expect(messages.map(\.token) == Array(repeating: Self.androidToken, count: 3))
            let message = try #require(messages[0].messageObject())
            #expect((message["data"] as? [String: String]) == ["mid": "1", "eid": "5061", "notification_foreground": "true"])
            let notification = try #require(message["notification"] as? [String: Any])
            #expect(notification["title"] as? String == "Garage Alarm (5061)")
            let androidBlock = try #require(message["android"] as? [String: Any])
            #expect(androidBlock["priority"] as? String == "high")
            let androidNotification = try #require(androidBlock["notification"] as? [String: Any])
            #expect(androidNotification["channel_id"] as? String == "zmninja")
            #expect(androidNotification["icon"] as? String == "ic_stat_notification")
            #expect(await fcm.accessTokensIssued() == 1)

            // Both phones had a socket open: each got the websocket copies too.
            for _ in 1...3 {
                #expect(try await phone.receive()["supplementary"] as? String == "true")
                #expect(try await android.receive()["supplementary"] as? String == "true")
            }
            // A badge reset, then the next push carries 1.
            try await phone.send(json: ["event": "push", "data": ["type": "badge", "badge": 0], "token": Self.iosToken])
            try await phone.expectNoPendingMessage()
            _ = try fixture.alarm(event: 5070)
            #expect(await eventually { await apns.accepted().count == 4 })
            #expect(((jsonObject(await apns.accepted()[3].payloadBytes))["aps"] as? [String: Any])?["badge"] as? Int == 1)

            // The count survives a restart.
            await phone.close()
            await android.close()
            #expect(try await server.terminate() == 0)
            try await fixture.serving { server, ports in
                _ = try fixture.alarm(event: 5071)
                #expect(await eventually { await apns.accepted().count == 5 })
                #expect(((jsonObject(await apns.accepted()[4].payloadBytes))["aps"] as? [String: Any])?["badge"] as? Int == 2)
                // Outcomes are recorded in batches just after the provider answers.
                #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "delivered"], in: fixture.directory).count == 10 })
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("the zmNinja proxy gets the android and ios bodies zmNinja reads")
    func proxy() async throws {
        try await PushFixture.serving(proxy: true) { fixture, server, ports in
            _ = try await fixture.connectPhone(ports, token: Self.androidToken, platform: "android")
            _ = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios")
            _ = try fixture.alarm(monitor: 2, event: 77, cause: "Person")
            let proxy = try #require(fixture.proxy)
            #expect(await eventually { await proxy.accepted().count == 2 })
            let bodies = Dictionary(uniqueKeysWithValues: await proxy.accepted().map { ($0.token, $0.bodyObject() ?? [:]) })
            let androidBody = try #require(bodies[Self.androidToken])
            #expect(androidBody["title"] as? String == "Porch Alarm (77)")
            #expect(androidBody["sound"] as? String == "default")
            #expect(androidBody["badge"] as? Int == 1)
            #expect(androidBody["log_message_id"] as? String == "NONE")
            #expect((androidBody["data"] as? [String: String]) == ["mid": "2", "eid": "77", "notification_foreground": "true"])
            #expect((androidBody["android"] as? [String: String]) == ["icon": "ic_stat_notification", "priority": "high", "channel": "zmninja", "tag": "zmes-2-77"])
            #expect(androidBody["ios"] == nil)
            let iosBody = try #require(bodies[Self.iosToken])
            let ios = try #require(iosBody["ios"] as? [String: Any])
            #expect(ios["thread_id"] as? String == "zmninja_alarm")
            #expect((ios["headers"] as? [String: String]) == ["apns-priority": "10", "apns-push-type": "alert", "apns-collapse-id": "zmes-2-77"])
            #expect(iosBody["android"] == nil)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("a disabled device never causes a provider call")
    func disabledDevice() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            let phone = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios", state: "disabled")
            _ = try fixture.alarm(event: 1)
            #expect(try await phone.receive()["event"] as? String == "alarm")
            await phone.close()
            _ = try fixture.alarm(event: 2)
            try await Task.sleep(for: .seconds(1))
            #expect(await fixture.apns!.requests().isEmpty)
            #expect(try Zmes.json(["push", "list", "--json"], in: fixture.directory).isEmpty)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("1,000 pushes to APNs use at most two connections and one provider token")
    func multiplexing() async throws {
        try await PushFixture.with(apns: true) { fixture in
            try await Self.addDevices(1_000, to: fixture.store())
            try await fixture.serving { server, _ in
                _ = try fixture.alarm(event: 1)
                let apns = try #require(fixture.apns)
                #expect(await eventually(timeout: .seconds(60)) { await apns.accepted().count == 1_000 })
                #expect(await apns.connectionCount() <= 2)
                #expect(await apns.distinctTokens().count == 1)
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("410 Unregistered removes the device for good, also after a restart")
    func unregistered() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            try await fixture.registerPhone(ports, token: Self.iosToken, platform: "ios")
            let apns = try #require(fixture.apns)
            await apns.injectAPNsError(status: 410, reason: "Unregistered", timestamp: Date(), deviceToken: Self.iosToken)
            _ = try fixture.alarm(event: 1)
            #expect(try await eventually { try Zmes.json(["token", "list", "--json"], in: fixture.directory).isEmpty })
            let failed = try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory)
            #expect((failed.first?["lastError"] as? String)?.contains("Unregistered") == true)
            let calls = await apns.requests().count
            _ = try fixture.alarm(event: 2)
            #expect(try await server.terminate() == 0)
            try await fixture.serving { server, ports in
                _ = try fixture.alarm(event: 3)
                try await Task.sleep(for: .seconds(1))
                #expect(await apns.requests().count == calls)
                #expect(try Zmes.json(["token", "list", "--json"], in: fixture.directory).isEmpty)
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("FCM UNREGISTERED removes the device; a 410 older than a re-registration does not")
    func unregisteredFCMAndReRegistration() async throws {
        try await PushFixture.serving(apns: true, fcm: true) { fixture, server, ports in
            _ = try await fixture.connectPhone(ports, token: Self.androidToken, platform: "android")
            _ = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios")
            await fixture.fcm!.injectFCMError(status: 404, code: "UNREGISTERED", deviceToken: Self.androidToken)
            // Apple saw the token go an hour ago; the phone registered again since.
            await fixture.apns!.injectAPNsError(status: 410, reason: "Unregistered", timestamp: Date().addingTimeInterval(-3_600), deviceToken: Self.iosToken)
            _ = try fixture.alarm(event: 1)
            #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 2 })
            let tokens = try Zmes.json(["token", "list", "--json"], in: fixture.directory).compactMap { $0["token"] as? String }
            #expect(tokens == [Self.iosToken])
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("503 with Retry-After: 2 is retried no sooner than 2 s later, then delivered; 429 backs off")
    func retries() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            try await fixture.registerPhone(ports, token: Self.iosToken, platform: "ios")
            let apns = try #require(fixture.apns)
            await apns.injectAPNsError(status: 503, reason: "ServiceUnavailable", retryAfter: 2)
            _ = try fixture.alarm(event: 1)
            #expect(await eventually { await apns.accepted().count == 1 })
            var requests = await apns.requests()
            #expect(requests.count == 2)
            #expect(requests[1].receivedAt.timeIntervalSince(requests[0].receivedAt) >= 2)

            await apns.injectAPNsError(status: 429, reason: "TooManyRequests")
            _ = try fixture.alarm(event: 2)
            #expect(await eventually { await apns.accepted().count == 2 })
            requests = await apns.requests()
            #expect(requests.count == 4)
            #expect(requests[3].receivedAt.timeIntervalSince(requests[2].receivedAt) >= 0.4)
            #expect(try await eventually { try Zmes.json(["push", "list", "--json"], in: fixture.directory).first?["state"] as? String == "delivered" })
            let job = try #require(try Zmes.json(["push", "list", "--json"], in: fixture.directory).first)
            #expect(job["attempts"] as? Int == 2)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("403 InvalidProviderToken dead-letters with that reason, marks the credential broken; replay delivers after the fix")
    func brokenCredential() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            try await fixture.registerPhone(ports, token: Self.iosToken, platform: "ios")
            let apns = try #require(fixture.apns)
            await apns.failEverything(with: .respond(status: 403, headers: ["content-type": "application/json"], body: "{\"reason\":\"InvalidProviderToken\"}"))
            // The first refusal marks the credential; pushes after it are not sent on it. (Pushes
            // already on their way when the refusal comes back are sent: the dispatcher sends many at once.)
            _ = try fixture.alarm(event: 1)
            #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 1 })
            for event in 2...3 { _ = try fixture.alarm(event: event) }
            #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 3 })
            let failed = try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory)
            #expect(failed.allSatisfy { ($0["lastError"] as? String)?.contains("InvalidProviderToken") == true })
            #expect(await apns.requests().count == 1)  // the broken credential is not used again
            let verify = try Zmes.run(["credentials", "verify"], in: fixture.directory)
            #expect(verify.status == 1)
            #expect(verify.output.contains("broken: InvalidProviderToken"))

            await apns.failEverything(with: nil)
            let replay = try Zmes.run(["push", "replay", "--all-failed"], in: fixture.directory)
            #expect(replay.output.contains("replayed 3 pushes"))
            #expect(await eventually { await apns.accepted().count == 3 })
            #expect(try Zmes.run(["credentials", "verify"], in: fixture.directory).status == 0)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("kill -9 in the middle of a burst of 2,000 pushes loses none: each reaches APNs at least once after a restart")
    func crashDuringBurst() async throws {
        try await PushFixture.burst(devices: 2_000, responseDelay: 0.5) { fixture, apns, tokens, server in
            #expect(await eventually { await apns.accepted().count >= 300 })
            server.crash()
            let beforeCrash = await apns.accepted().count
            #expect(beforeCrash < 2_000)
            await apns.setResponseDelay(0)
            try await fixture.serving { server, _ throws in
                let allArrived = await eventually(timeout: .seconds(90)) { Set(await apns.accepted().map(\.deviceToken)).count == 2_000 }
                #expect(allArrived)
                if !allArrived {
                    print("diagnostics: distinct=\(Set(await apns.accepted().map(\.deviceToken)).count) requests=\(await apns.requests().count)")
                    print("diagnostics: push states: \((try? Zmes.run(["push", "list", "--json"], in: fixture.directory).output.components(separatedBy: "\"state\"").count) ?? 0)")
                    print("diagnostics: log: \(server.standardError.split(separator: "\n").filter { !$0.contains("push delivered") }.suffix(30).joined(separator: "\n"))")
                }
                #expect(Set(await apns.accepted().map(\.deviceToken)) == Set(tokens))
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("an FCM 401 refreshes the access token once and delivers; a dropped connection is retried on a new one")
    func fcmRefreshAndDroppedConnection() async throws {
        try await PushFixture.serving(fcm: true) { fixture, server, ports in
            try await fixture.registerPhone(ports, token: Self.androidToken, platform: "android")
            let fcm = try #require(fixture.fcm)
            _ = try fixture.alarm(event: 1)
            #expect(await eventually { await fcm.accepted().count == 1 })
            #expect(await fcm.accessTokensIssued() == 1)

            await fcm.revokeAccessTokens()
            _ = try fixture.alarm(event: 2)
            #expect(await eventually { await fcm.accepted().count == 2 })
            #expect(await fcm.accessTokensIssued() == 2)

            await fcm.inject(.closeConnection, deviceToken: Self.androidToken)
            _ = try fixture.alarm(event: 3)
            #expect(await eventually { await fcm.accepted().count == 3 })
            #expect(await fcm.connectionCount() >= 2)
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("credentials add refuses a broken file whole; list shows no secret; the admin API lists and replays")
    func operatorCommands() async throws {
        try await PushFixture.with(apns: true, proxy: true) { fixture in
            try "apns:\n  - {name: other, key_file: Missing.p8, key_id: A, team_id: B, topic: t}\nproxy:\n  - {name: p2, url: 'https://x/y', key: k}\n"
                .write(toFile: fixture.directory + "/broken.yml", atomically: true, encoding: .utf8)
            let refused = try Zmes.run(["credentials", "add", "--file", "broken.yml"], in: fixture.directory)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("apns 'other'"))
            #expect(refused.errors.contains("Missing.p8"))
            let listed = try Zmes.json(["credentials", "list", "--json"], in: fixture.directory)
            #expect(Set(listed.compactMap { $0["name"] as? String }) == ["test-apns", "test-proxy"])  // nothing of broken.yml
            let plain = try Zmes.run(["credentials", "list"], in: fixture.directory).output
            #expect(!plain.contains(PushFixture.proxyKey))
            #expect(!plain.contains("PRIVATE KEY"))

            try await fixture.serving { server, ports in
                try await fixture.registerPhone(ports, token: Self.iosToken, platform: "ios")
                let apns = try #require(fixture.apns)
                // A permanent error that keeps the device (BadDeviceToken would remove a token never pushed to).
                await apns.injectAPNsError(status: 400, reason: "DeviceTokenNotForTopic", deviceToken: Self.iosToken)
                _ = try fixture.alarm(event: 1)
                #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 1 })
                let admin = CurlClient()
                defer { admin.shutdown() }
                let list = try await admin.send(CurlRequest(url: "http://127.0.0.1:\(ports.admin)/api/v1/pushes?state=failed", method: "GET"))
                let failed = try #require(try JSONSerialization.jsonObject(with: Data(list.body)) as? [[String: Any]])
                #expect(failed.first?["lastError"] as? String == "DeviceTokenNotForTopic")
                let id = try #require(failed.first?["id"] as? Int)
                let replay = try await admin.send(
                    CurlRequest(
                        url: "http://127.0.0.1:\(ports.admin)/api/v1/pushes/replay", headers: [("content-type", "application/json")],
                        body: Array("{\"ids\":[\(id)]}".utf8)))
                #expect(replay.status == 200)
                #expect(replay.bodyText.contains("\"replayed\":1"))
                #expect(await eventually { await apns.accepted().count == 1 })
                #expect(try await server.terminate() == 0)
            }
        }
    }

    /// Registers devices straight in the store, as many phones would have.
    @discardableResult
    static func addDevices(_ count: Int, to store: any Store) async throws -> [String] {
        var tokens: [String] = []
        for index in 0..<count {
            let token = String(format: "%064x", index + 1)
            tokens.append(token)
            try await store.register(
                DeviceRegistration(token: token, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1.8.001"))
        }
        return tokens
    }
}
