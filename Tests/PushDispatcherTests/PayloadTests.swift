import CurlClient
import Foundation
import Model
import Testing

@testable import PushDispatcher

@Suite("Payloads")
struct PayloadTests {
    func message(body: String, platform: Platform = .ios) -> PushMessage {
        PushMessage(
            jobID: 1, token: String(repeating: "ab", count: 32), platform: platform, badge: 4,
            alarm: Alarm(monitorId: 3, monitorName: "Garage", eventId: 5060, cause: "Motion"),
            title: "Garage Alarm (5060)", body: body, expiresAt: Date().addingTimeInterval(900))
    }

    @Test("an APNs payload carries the alert, badge and zmNinja's custom keys")
    func apnsShape() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(APNsPayload.encode(message(body: "Motion at 10:00")))) as? [String: Any])
        let aps = try #require(object["aps"] as? [String: Any])
        #expect(aps["badge"] as? Int == 4)
        #expect((aps["alert"] as? [String: String])?["body"] == "Motion at 10:00")
        #expect(object["mid"] as? String == "3")
        #expect(object["eid"] as? String == "5060")
        #expect(object["notification_foreground"] as? String == "true")
    }

    @Test("a critical alarm is an APNs critical interruption; others carry no interruption level")
    func critical() throws {
        var critical = message(body: "person")
        critical.alarm.critical = true
        let aps = try #require((try JSONSerialization.jsonObject(with: Data(APNsPayload.encode(critical))) as? [String: Any])?["aps"] as? [String: Any])
        #expect(aps["interruption-level"] as? String == "critical")
        let plain = try #require((try JSONSerialization.jsonObject(with: Data(APNsPayload.encode(message(body: "x")))) as? [String: Any])?["aps"] as? [String: Any])
        #expect(plain["interruption-level"] == nil)
    }

    @Test("a picture link goes where each app reads it: APNs image_url_jpg with mutable-content, FCM's images, the proxy's image_url")
    func pictures() throws {
        let link = "https://zm.example.com:9000/pictures/5060/snapshot?exp=1&sig=ab"
        var ios = message(body: "Motion")
        ios.pictureURL = link
        let apns = try #require(try JSONSerialization.jsonObject(with: Data(APNsPayload.encode(ios))) as? [String: Any])
        #expect(apns["image_url_jpg"] as? String == link)
        #expect((apns["aps"] as? [String: Any])?["mutable-content"] as? Int == 1)
        var android = message(body: "Motion", platform: .android)
        android.pictureURL = link
        let fcm = try #require((try JSONSerialization.jsonObject(with: Data(FCMMessage.encode(android))) as? [String: Any])?["message"] as? [String: Any])
        #expect((fcm["notification"] as? [String: Any])?["image"] as? String == link)
        #expect(((fcm["android"] as? [String: Any])?["notification"] as? [String: Any])?["image"] as? String == link)
        #expect(((fcm["apns"] as? [String: Any])?["fcm_options"] as? [String: Any])?["image"] as? String == link)
        let proxy = try #require(try JSONSerialization.jsonObject(with: Data(ProxySender.body(android))) as? [String: Any])
        #expect(proxy["image_url"] as? String == link)

        let plain = try #require(try JSONSerialization.jsonObject(with: Data(APNsPayload.encode(message(body: "x")))) as? [String: Any])
        #expect(plain["image_url_jpg"] == nil)
        #expect((plain["aps"] as? [String: Any])?["mutable-content"] == nil)
    }

    @Test("a long alert body is cut so the APNs payload stays within 4096 bytes; the custom keys stay whole")
    func truncation() throws {
        for body in [String(repeating: "x", count: 10_000), String(repeating: "é🚨", count: 3_000)] {
            let bytes = APNsPayload.encode(message(body: body))
            #expect(bytes.count <= 4096)
            #expect(bytes.count > 3_900)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(object["eid"] as? String == "5060")
            let alert = try #require((object["aps"] as? [String: Any])?["alert"] as? [String: String])
            #expect(alert["body"]?.hasSuffix("…") == true)
            #expect(alert["title"] == "Garage Alarm (5060)")
        }
    }

    @Test("a huge title (monitor name) is cut too: every provider's body stays within its limit and parses")
    func hugeTitle() throws {
        var huge = message(body: String(repeating: "Motion \u{1}é🚨 ", count: 2_000))
        huge.title = String(repeating: "Garage\u{2}🚗 ", count: 2_000) + " Alarm (5060)"
        for platform in Platform.allCases {
            huge.platform = platform
            let apns = APNsPayload.encode(huge)
            let fcm = FCMMessage.encode(huge)
            let proxy = ProxySender.body(huge)
            #expect(apns.count <= 4096)
            #expect(apns.count > 3_900)
            #expect(fcm.count - huge.token.utf8.count <= 4096)
            #expect(proxy.count - huge.token.utf8.count <= 4096)
            let apnsAlert = try #require(((try JSONSerialization.jsonObject(with: Data(apns)) as? [String: Any])?["aps"] as? [String: Any])?["alert"] as? [String: String])
            #expect(apnsAlert["title"]?.hasPrefix("Garage") == true)
            #expect(apnsAlert["title"]?.hasSuffix("…") == true)
            let fcmObject = try #require(try JSONSerialization.jsonObject(with: Data(fcm)) as? [String: Any])
            let fcmMessage = try #require(fcmObject["message"] as? [String: Any])
            #expect(fcmMessage["token"] as? String == huge.token)
            #expect(((fcmMessage["notification"] as? [String: String])?["title"])?.hasSuffix("…") == true)
            #expect((fcmMessage["data"] as? [String: String])?["eid"] == "5060")
            let proxyObject = try #require(try JSONSerialization.jsonObject(with: Data(proxy)) as? [String: Any])
            #expect((proxyObject["title"] as? String)?.hasSuffix("…") == true)
            #expect((proxyObject["data"] as? [String: String])?["mid"] == "3")
        }
        // Short text is left alone.
        #expect(PayloadFit.cut("Garage", toBytes: 6) == "Garage")
        #expect(PayloadFit.cut("é🚨x", toBytes: 5) == "é…")
        #expect(PayloadFit.cut("🚨", toBytes: 3) == "")
    }

    @Test("FCM data values are all strings")
    func fcmStrings() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(FCMMessage.encode(message(body: "b", platform: .android)))) as? [String: Any])
        let data = try #require((object["message"] as? [String: Any])?["data"] as? [String: Any])
        #expect(data.values.allSatisfy { $0 is String })
    }

    @Test("titles and bodies fill the templates")
    func templates() {
        let template = MessageTemplate(title: "{name} Alarm ({eid})", body: "{cause} on {mid}", timeZone: TimeZone(identifier: "UTC")!)
        let rendered = template.render(Alarm(monitorId: 2, monitorName: "Porch", eventId: 9, cause: "Person", kind: .end))
        #expect(rendered.title == "Porch Alarm (9)")
        #expect(rendered.body == "End: Person on 2")
    }

    @Test("{detection} and {time} in push.date_format; tag_event_id adds the event once; replace_previous collapses per monitor")
    func templateSettings() {
        let utc = TimeZone(identifier: "UTC")!
        let alarm = Alarm(
            monitorId: 2, monitorName: "Porch", eventId: 9, cause: "Motion", time: Date(timeIntervalSince1970: 1_765_000_000),
            detection: Detection(text: "detected:person:91%"))
        let perl = MessageTemplate(title: "{name} Alarm", body: "{detection} {cause} at {time}", timeZone: utc, tagEventId: true)
        #expect(perl.render(alarm).title == "Porch Alarm (9)")
        #expect(perl.render(alarm).body == "detected:person:91% Motion at 05:46 AM, 06-Dec")
        let iso = MessageTemplate(title: "{name} ({eid})", body: "{time}", timeZone: utc, dateFormat: "%Y-%m-%d %H:%M", tagEventId: true)
        #expect(iso.render(alarm).title == "Porch (9)")
        #expect(iso.render(alarm).body == "2025-12-06 05:46")
        #expect(MessageTemplate(title: "", body: "{detection}").render(Alarm(monitorId: 2, monitorName: "P", eventId: 9, cause: "")).body == "")
        #expect(perl.collapseID(for: alarm) == "zmes-2-9")
        let replacing = MessageTemplate(title: "", body: "", replacePrevious: true)
        var next = alarm
        next.eventId = 10
        #expect(replacing.collapseID(for: alarm) == replacing.collapseID(for: next))
    }
}

@Suite("Reply classification")
struct ReplyClassificationTests {
    func response(_ status: Int, _ body: String, headers: [String: String] = [:]) -> CurlResponse {
        CurlResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test("APNs replies are decided by status and reason")
    func apns() {
        #expect(APNsReply(response(200, "")).outcome == .delivered)
        #expect(APNsReply(response(410, #"{"reason":"Unregistered","timestamp":1700000000000}"#)).outcome == .tokenGone(reason: "Unregistered", at: Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(APNsReply(response(403, #"{"reason":"InvalidProviderToken"}"#)).outcome == .credentialRejected(reason: "InvalidProviderToken"))
        #expect(APNsReply(response(403, #"{"reason":"ExpiredProviderToken"}"#)).outcome == .retry(reason: "ExpiredProviderToken", after: .zero))
        #expect(APNsReply(response(503, #"{"reason":"ServiceUnavailable"}"#, headers: ["retry-after": "2"])).outcome == .retry(reason: "ServiceUnavailable", after: .seconds(2)))
        #expect(APNsReply(response(400, #"{"reason":"BadDeviceToken"}"#)).outcome == .badToken(reason: "BadDeviceToken"))
        #expect(APNsReply(response(400, #"{"reason":"DeviceTokenNotForTopic"}"#)).outcome == .failed(reason: "DeviceTokenNotForTopic"))
    }

    @Test("APNs replies without a reason, or not JSON, say the HTTP status; only a 403 expires the provider token")
    func apnsWithoutReason() {
        #expect(APNsReply(response(502, "<html>Bad Gateway</html>")).outcome == .retry(reason: "HTTP 502", after: nil))
        #expect(APNsReply(response(400, "")).outcome == .failed(reason: "HTTP 400"))
        #expect(APNsReply(response(403, #"{"reason":"ExpiredProviderToken"}"#)).providerTokenExpired)
        #expect(!APNsReply(response(403, #"{"reason":"InvalidProviderToken"}"#)).providerTokenExpired)
    }

    @Test("provider reasons are cases when zmes acts on them, and keep any other text as sent")
    func reasons() throws {
        #expect(APNsReason(rawValue: "ExpiredProviderToken") == .expiredProviderToken)
        #expect(APNsReason(rawValue: "Shutdown") == .other("Shutdown"))
        for reason in APNsReason.named + [.other("Shutdown")] {
            #expect(APNsReason(rawValue: reason.rawValue) == reason)
        }
        for code in FCMErrorCode.named + [.other("PERMISSION_DENIED")] {
            #expect(FCMErrorCode(rawValue: code.rawValue) == code)
        }
        #expect(try JSONDecoder().decode([FCMErrorCode].self, from: Data(#"["UNREGISTERED","NEW_CODE"]"#.utf8)) == [.unregistered, .other("NEW_CODE")])
    }

    @Test("FCM replies are decided by errorCode, not message text")
    func fcm() {
        func body(_ code: String, _ status: String, message: String = "ignored", extra: String = "") -> String {
            #"{"error":{"code":400,"message":"\#(message)","status":"\#(status)","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"\#(code)"}\#(extra)]}}"#
        }
        #expect(FCMReply(response(404, body("UNREGISTERED", "NOT_FOUND"))).outcome == .tokenGone(reason: "UNREGISTERED", at: nil))
        #expect(FCMReply(response(429, body("QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED"))).outcome == .retry(reason: "QUOTA_EXCEEDED", after: .seconds(60)))
        #expect(FCMReply(response(503, body("UNAVAILABLE", "UNAVAILABLE"), headers: ["retry-after": "5"])).outcome == .retry(reason: "UNAVAILABLE", after: .seconds(5)))
        #expect(FCMReply(response(401, body("THIRD_PARTY_AUTH_ERROR", "UNAUTHENTICATED"))).outcome == .failed(reason: "THIRD_PARTY_AUTH_ERROR"))
        #expect(FCMReply(response(401, #"{"error":{"code":401,"status":"UNAUTHENTICATED"}}"#)).outcome == .credentialRejected(reason: "UNAUTHENTICATED"))
        #expect(FCMReply(response(503, "")).outcome == .retry(reason: "HTTP 503", after: nil))
        #expect(FCMReply(response(403, body("SENDER_ID_MISMATCH", "PERMISSION_DENIED"))).outcome == .failed(reason: "SENDER_ID_MISMATCH"))
        let namesToken = #",{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"x"}]}"#
        #expect(FCMReply(response(400, body("INVALID_ARGUMENT", "INVALID_ARGUMENT", extra: namesToken))).outcome == .tokenGone(reason: "INVALID_ARGUMENT (token)", at: nil))
        #expect(FCMReply(response(400, body("INVALID_ARGUMENT", "INVALID_ARGUMENT", message: "The registration token is not a valid FCM registration token"))).outcome == .failed(reason: "INVALID_ARGUMENT"))
    }

    @Test("the proxy's token-gone texts remove the token; a bad key breaks the credential")
    func proxy() {
        #expect(ProxyReply(response(200, #"{"Success":"projects/x/messages/1"}"#)).outcome == .delivered)
        #expect(ProxyReply(response(400, #"{"Error":"Requested entity was not found."}"#)).outcome == .tokenGone(reason: "Requested entity was not found.", at: nil))
        #expect(ProxyReply(response(401, #"{"Error":"Unauthorized"}"#)).outcome == .credentialRejected(reason: "Unauthorized"))
        #expect(ProxyReply(response(500, #"{"Error":"boom"}"#)).outcome == .retry(reason: "boom", after: nil))
        #expect(ProxyReply(response(200, #"{"Other":1}"#)).outcome == .failed(reason: #"unexpected reply: {"Other":1}"#))
        #expect(ProxyReply(response(502, "Bad Gateway")).outcome == .retry(reason: "HTTP 502", after: nil))
    }

    @Test("backoff grows, honours Retry-After and stops at the max age")
    func retryPolicy() {
        let policy = RetryPolicy(maxAge: 60)
        let now = Date()
        let first = policy.nextAttempt(after: 1, retryAfter: nil, agedFrom: now, now: now)!
        #expect(first.timeIntervalSince(now) <= 1)
        let hinted = policy.nextAttempt(after: 1, retryAfter: .seconds(10), agedFrom: now, now: now)!
        #expect(hinted.timeIntervalSince(now) >= 10)
        let late = policy.nextAttempt(after: 5, retryAfter: nil, agedFrom: now.addingTimeInterval(-59), now: now)
        #expect(late == nil)
    }

    @Test("a first attempt whose connection was lost is retried at once; later ones back off, and none past the max age")
    func retryAfterLostConnection() {
        let policy = RetryPolicy(maxAge: 60)
        let now = Date()
        #expect(policy.nextAttempt(after: 1, retryAfter: nil, connectionLost: true, agedFrom: now, now: now) == now)
        let second = policy.nextAttempt(after: 2, retryAfter: nil, connectionLost: true, agedFrom: now, now: now)!
        #expect(second.timeIntervalSince(now) >= 1)  // 2 s of backoff with full jitter: 1 to 2 s
        #expect(policy.nextAttempt(after: 1, retryAfter: nil, connectionLost: true, agedFrom: now.addingTimeInterval(-61), now: now) == nil)
    }
}
