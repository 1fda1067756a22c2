import Foundation
import Model
import Testing

@testable import PushDispatcher

@Suite("Push bodies")
struct EncodingTests {
    func message(title: String = "Garage Alarm (5060)", body: String) -> PushMessage {
        PushMessage(
            jobID: 1, token: String(repeating: "ab", count: 32), platform: .ios, badge: 4,
            alarm: Alarm(monitorId: 3, monitorName: "Garage", eventId: 5060, cause: "Motion"),
            title: title, body: body, expiresAt: Date().addingTimeInterval(900))
    }

    @Test("the APNs body is exactly what zmNinja expects, keys sorted")
    func exactAPNsBody() {
        let text = String(decoding: APNsPayload.encode(message(body: "Motion at 10:00")), as: UTF8.self)
        #expect(text == #"{"aps":{"alert":{"body":"Motion at 10:00","title":"Garage Alarm (5060)"},"badge":4,"sound":"default","thread-id":"zmninja_alarm"},"eid":"5060","mid":"3","notification_foreground":"true"}"#)
    }

    @Test("quotes, backslashes, control characters, slashes and emoji survive a round trip through a JSON parser")
    func escaping() throws {
        let tricky = "He said \"hi\" \\ back/slash\n\ttab \u{01}\u{1F} é 🚨 \u{7F}"
        for bytes in [
            APNsPayload.encode(message(title: tricky, body: tricky)),
            FCMMessage.encode(message(title: tricky, body: tricky)),
            ProxySender.body(message(title: tricky, body: tricky)),
        ] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let strings = collectStrings(object)
            #expect(strings.filter { $0 == tricky }.count == 2)
        }
    }

    @Test("FCM and proxy bodies parse and carry the badge, the data keys and the token")
    func fcmAndProxyShape() throws {
        let fcm = try #require(try JSONSerialization.jsonObject(with: Data(FCMMessage.encode(message(body: "b"), validateOnly: true))) as? [String: Any])
        #expect(fcm["validate_only"] as? Bool == true)
        let inner = try #require(fcm["message"] as? [String: Any])
        #expect(inner["token"] as? String == String(repeating: "ab", count: 32))
        #expect((inner["data"] as? [String: String]) == ["eid": "5060", "mid": "3", "notification_foreground": "true"])
        let aps = ((inner["apns"] as? [String: Any])?["payload"] as? [String: Any])?["aps"] as? [String: Any]
        #expect(aps?["badge"] as? Int == 4)
        let proxy = try #require(try JSONSerialization.jsonObject(with: Data(ProxySender.body(message(body: "b")))) as? [String: Any])
        #expect(proxy["badge"] as? Int == 4)
        #expect((proxy["ios"] as? [String: Any])?["thread_id"] as? String == "zmninja_alarm")
        #expect(proxy["android"] == nil)
    }

    @Test("templates fill every placeholder in one pass and keep unknown braces")
    func templateEdges() {
        let template = MessageTemplate(title: "{{name}} {unknown} {mid}/{eid}", body: "{cause} {", timeZone: TimeZone(identifier: "UTC")!)
        let rendered = template.render(Alarm(monitorId: 2, monitorName: "Porch {eid}", eventId: 9, cause: "Person"))
        #expect(rendered.title == "{Porch {eid}} {unknown} 2/9")
        #expect(rendered.body == "Person {")
    }

    @Test("the apns-id is the canonical lower-case UUID text")
    func apnsID() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
        let fixed = UUID(uuidString: "0A1B2C3D-4E5F-6789-ABCD-EF0123456789")!
        #expect(fixed.lowercasedString == "0a1b2c3d-4e5f-6789-abcd-ef0123456789")
    }

    @Test("each apns-id is a new random version-4 UUID that Apple's parser accepts")
    func apnsIDIsRandomVersion4() {
        var seen = Set<UUID>()
        for _ in 0..<1_000 {
            let id = UUID.randomVersion4()
            let text = id.lowercasedString
            #expect(UUID(uuidString: text) == id)
            #expect(Array(text)[14] == "4")  // the version nibble
            #expect("89ab".contains(Array(text)[19]))  // the RFC 4122 variant
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test("the collapse id fits APNs' 64 bytes for any monitor and event id")
    func collapseIDBound() {
        let message = PushMessage(
            jobID: 1, token: "t", platform: .ios, badge: 1,
            alarm: Alarm(monitorId: Int.min, monitorName: "M", eventId: Int.min, cause: "c"),
            title: "", body: "", expiresAt: Date())
        #expect(message.collapseID.utf8.count <= 64)
        #expect(message.collapseID == "zmes-\(Int.min)-\(Int.min)")
    }

    private func collectStrings(_ value: Any) -> [String] {
        switch value {
        case let string as String: return [string]
        case let dictionary as [String: Any]: return dictionary.values.flatMap(collectStrings)
        case let array as [Any]: return array.flatMap(collectStrings)
        default: return []
        }
    }
}
