import Foundation
import MockProviders
import Testing
import ZmesTestSupport

@Suite struct ProxyMockTests {
    static let key = "zmninja-proxy-key-123"
    static let token = "fcm-token-for-zmninja"

    static func body(token: String = token, platform: String = "android") -> String {
        let block = platform == "android"
            ? #""android":{"icon":"ic_stat_notification","priority":"high","channel":"zmninja"}"#
            : #""ios":{"thread_id":"zmninja_alarm","headers":{"apns-priority":"10","apns-push-type":"alert"}}"#
        return #"{"token":"\#(token)","title":"Front Door Alarm (5060)","body":"Motion at 10:00","sound":"default","badge":1,"log_message_id":"NONE","data":{"mid":"1","eid":"5060","notification_foreground":"true"},\#(block)}"#
    }

    struct Fixture {
        let proxy: MockProxy
        let curl: Curl
        /// Runs `body` with a new fixture and shuts its mock down, waiting, whether or not `body` threw.
        static func with(_ body: (Fixture) async throws -> Void) async throws {
            let fixture = try await Fixture()
            try await withCleanup { try await body(fixture) } cleanup: { await fixture.proxy.shutdown() }
        }

        init() async throws {
            let authority = try TestCertificateAuthority()
            proxy = try await MockProxy(authority: authority, key: ProxyMockTests.key)
            curl = try Curl(authority: authority)
        }
        func post(_ body: String, key: String = ProxyMockTests.key) async throws -> Curl.Response {
            try await curl.request(proxy.url, headers: [("content-type", "application/json"), ("authorization", key)], body: body)
        }
    }

    @Test func acceptsGoodBodies() async throws {
        try await Fixture.with { f in
            let android = try await f.post(Self.body())
            #expect(android.status == 200)
            #expect(android.json?["Success"]?.stringValue?.isEmpty == false)
            #expect(try await f.post(Self.body(platform: "ios")).status == 200)
            let accepted = await f.proxy.accepted()
            #expect(accepted.map(\.platform) == [.android, .ios])
            #expect(accepted.first?.token == Self.token)
            #expect(accepted.first?.data["eid"] == "5060")
        }
    }

    @Test func refusesWrongKeyAndBadBodies() async throws {
        try await Fixture.with { f in
            let unauthorized = try await f.post(Self.body(), key: "wrong")
            #expect(unauthorized.status == 401)
            #expect(unauthorized.json?["Error"]?.stringValue == "Unauthorized")
            let noMid = Self.body().replacingOccurrences(of: #""mid":"1","#, with: "")
            let malformed = try await f.post(noMid)
            #expect(malformed.status == 400)
            #expect(malformed.json?["Error"]?.stringValue != nil)
            await f.proxy.injectTokenGone(deviceToken: Self.token)
            let gone = try await f.post(Self.body())
            #expect(gone.status == 400)
            #expect(gone.json?["Error"]?.stringValue == "Requested entity was not found.")
            #expect(await f.proxy.accepted().isEmpty)
            #expect(await f.proxy.requests().count == 3)
        }
    }
}
