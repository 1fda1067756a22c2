import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// Detection hooks through the built `zmes`: `zmes alarm` runs the hook, and what it detected reaches the
/// phone's push and websocket.
@Suite("Detection hooks end to end", .serialized)
struct HookEndToEndTests {
    static let iosToken = String(repeating: "7a6b5c4d", count: 8)

    @Test("zmes alarm with a detecting hook: the APNs body and the websocket alarm carry the detection before the cause")
    func pushCarriesDetection() async throws {
        let directory = Zmes.makeDirectory()
        let hook = directory + "/detect.sh"
        try """
            #!/bin/sh
            echo '[s] detected:person:91% --SPLIT--{"labels":["person"],"frame_id":"snapshot"}'

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let hooks = "hooks:\n  event_start: [\"\(hook)\", \"{eid}\", \"{mid}\", \"{name}\", \"{cause}\"]\n"
        try await PushFixture.serving(apns: true, extraConfig: hooks) { fixture, _, ports in
            let phone = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios")
            _ = try fixture.alarm(event: 7001, cause: "Motion: All")
            let apns = try #require(fixture.apns)
            #expect(await eventually { await apns.accepted().count == 1 })
            let payload = jsonObject(try #require(await apns.accepted().first).payloadBytes)
            let alert = try #require((payload["aps"] as? [String: Any])?["alert"] as? [String: Any])
            #expect((alert["body"] as? String)?.hasPrefix("detected:person:91% Motion: All at ") == true, "\(alert)")

            let message = try await phone.receive()
            let event = try #require((message["events"] as? [[String: Any]])?.first)
            #expect(event["Cause"] as? String == "detected:person:91% Motion: All")
            #expect((event["DetectionJson"] as? [String: Any])?["labels"] as? [String] == ["person"])
            await phone.close()
        }
    }
}
