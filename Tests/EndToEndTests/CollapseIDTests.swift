import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// A push sent again after an outcome zmes could not learn must replace the first on the
/// phone, not show twice: each provider gets one collapse id per event (the end of an event
/// replaces its start), never one per monitor (which would hide a monitor's earlier events).
@Suite("Collapse ids per event", .serialized)
struct CollapseIDTests {
    static let iosToken = PushDeliveryTests.iosToken
    static let androidToken = PushDeliveryTests.androidToken

    /// An iPhone and an Android phone registered, their sockets closed: they are served by push only.
    static func registerPhones(_ fixture: PushFixture, _ ports: Ports) async throws {
        for (token, platform) in [(iosToken, "ios"), (androidToken, "android")] {
            try await fixture.registerPhone(ports, token: token, platform: platform)
        }
    }

    /// Start and end of event 5061, then the start of 5062, on monitor 1.
    static func sendEvents(_ fixture: PushFixture) throws {
        _ = try fixture.alarm(event: 5061)
        _ = try Zmes.run(["alarm", "--monitor", "1", "--event", "5061", "--cause", "Motion", "--end"], in: fixture.directory)
        _ = try fixture.alarm(event: 5062)
    }

    static func eventID(_ data: [String: Any]?) -> String { data?["eid"] as? String ?? "" }

    @Test("APNs' apns-collapse-id, FCM's android tag and its apns-collapse-id header: zmes-<monitor>-<event>, shared by an event's start and end")
    func apnsAndFCM() async throws {
        try await PushFixture.serving(apns: true, fcm: true) { fixture, server, ports in
            try await Self.registerPhones(fixture, ports)
            try Self.sendEvents(fixture)

            let apns = try #require(fixture.apns)
            let fcm = try #require(fixture.fcm)
            #expect(await fixture.eventuallyAccepted(apns: 3, fcm: 3))

            let apnsIDs = await apns.accepted().map { push in
                "\(Self.eventID(jsonObject(push.payloadBytes))) \(push.headers["apns-collapse-id"] ?? "none")"
            }
            print("apns-collapse-id per push: \(apnsIDs.sorted())")
            #expect(apnsIDs.sorted() == ["5061 zmes-1-5061", "5061 zmes-1-5061", "5062 zmes-1-5062"])

            let fcmIDs = await fcm.accepted().map { message -> String in
                let object = message.messageObject()
                let android = (object?["android"] as? [String: Any])?["notification"] as? [String: Any]
                let apnsHeaders = (object?["apns"] as? [String: Any])?["headers"] as? [String: String]
                return "\(Self.eventID(object?["data"] as? [String: Any])) tag=\(android?["tag"] as? String ?? "none") apns-collapse-id=\(apnsHeaders?["apns-collapse-id"] ?? "none")"
            }
            print("FCM tag and apns-collapse-id per message: \(fcmIDs.sorted())")
            #expect(
                fcmIDs.sorted() == [
                    "5061 tag=zmes-1-5061 apns-collapse-id=zmes-1-5061", "5061 tag=zmes-1-5061 apns-collapse-id=zmes-1-5061",
                    "5062 tag=zmes-1-5062 apns-collapse-id=zmes-1-5062",
                ])
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("the zmNinja proxy: android.tag and ios.headers.apns-collapse-id, zmes-<monitor>-<event>")
    func proxy() async throws {
        try await PushFixture.serving(proxy: true) { fixture, server, ports in
            try await Self.registerPhones(fixture, ports)
            try Self.sendEvents(fixture)

            let proxy = try #require(fixture.proxy)
            #expect(await eventually { await proxy.accepted().count == 6 })
            let ids = await proxy.accepted().map { push -> String in
                let body = push.bodyObject()
                let eventID = Self.eventID(body?["data"] as? [String: Any])
                if push.token == Self.androidToken {
                    return "android \(eventID) tag=\((body?["android"] as? [String: Any])?["tag"] as? String ?? "none")"
                }
                let headers = (body?["ios"] as? [String: Any])?["headers"] as? [String: String]
                return "ios \(eventID) apns-collapse-id=\(headers?["apns-collapse-id"] ?? "none")"
            }
            print("proxy collapse ids per push: \(ids.sorted())")
            #expect(
                ids.sorted() == [
                    "android 5061 tag=zmes-1-5061", "android 5061 tag=zmes-1-5061", "android 5062 tag=zmes-1-5062",
                    "ios 5061 apns-collapse-id=zmes-1-5061", "ios 5061 apns-collapse-id=zmes-1-5061", "ios 5062 apns-collapse-id=zmes-1-5062",
                ])
            #expect(try await server.terminate() == 0)
        }
    }
}
