import Crypto
import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// A MockAPNs plus everything a test needs to talk to it with curl.
struct APNsFixture {
    static let teamID = "TEAM123456"
    static let keyID = "KEY7654321"
    static let topic = "com.example.zmninja"
    static let device = String(repeating: "ab", count: 32)

    let key = P256.Signing.PrivateKey()
    let authority: TestCertificateAuthority
    let apns: MockAPNs
    let curl: Curl
    /// One provider token for the fixture's whole life: a client must reuse its JWT
    /// (ECDSA signatures are randomised, so re-signing yields a new, distinct token → 429).
    let token: String

    /// Runs `body` with a new fixture and shuts its mock down, waiting, whether or not `body` threw.
    static func with(_ body: (APNsFixture) async throws -> Void) async throws {
        let fixture = try await APNsFixture()
        try await withCleanup { try await body(fixture) } cleanup: { await fixture.apns.shutdown() }
    }

    init() async throws {
        authority = try TestCertificateAuthority()
        apns = try await MockAPNs(authority: authority, teamID: Self.teamID, keyID: Self.keyID,
                                  publicKey: key.publicKey, topic: Self.topic)
        curl = try Curl(authority: authority)
        token = try TestJWT.apns(keyID: Self.keyID, teamID: Self.teamID, key: key)
    }

    func jwt(issuedAt: Date = Date(), key: P256.Signing.PrivateKey? = nil) throws -> String {
        try TestJWT.apns(keyID: Self.keyID, teamID: Self.teamID, issuedAt: issuedAt, key: key ?? self.key)
    }

    func headers(jwt: String? = nil, extra: [(String, String)] = []) throws -> [(String, String)] {
        [
            ("authorization", "bearer \(jwt ?? token)"),
            ("apns-topic", Self.topic),
            ("apns-push-type", "alert"),
            ("apns-priority", "10"),
            ("apns-expiration", String(Int(Date().timeIntervalSince1970) + 3600)),
        ] + extra
    }

    static let payload = #"{"aps":{"alert":{"title":"Front Door Alarm (5060)","body":"Motion at 10:00"}},"mid":"1","eid":"5060"}"#

    func push(to device: String = device, headers: [(String, String)]? = nil, body: String = payload) async throws -> Curl.Response {
        try await curl.request(apns.url + "/3/device/" + device, headers: try headers ?? self.headers(), body: body)
    }
}

@Suite struct APNsMockTests {
    @Test func acceptsAGoodPush() async throws {
        try await APNsFixture.with { f in
            let id = UUID().uuidString.lowercased()
            let response = try await f.push(headers: try f.headers(extra: [("apns-id", id), ("apns-collapse-id", "door")]))
            #expect(response.status == 200)
            #expect(response.headers["apns-id"] == id)
            let accepted = await f.apns.accepted()
            #expect(accepted.count == 1)
            #expect(accepted.first?.deviceToken == APNsFixture.device)
            #expect(accepted.first?.apnsID == id)
            #expect(accepted.first?.payload["aps"]?["alert"]?["title"]?.stringValue == "Front Door Alarm (5060)")
            #expect(accepted.first?.headers["apns-collapse-id"] == "door")
            #expect(await f.apns.connectionCount() == 1)
            #expect(await f.apns.distinctTokens().count == 1)
        }
    }

    @Test func refusesABadSignature() async throws {
        try await APNsFixture.with { f in
            let forged = try f.jwt(key: P256.Signing.PrivateKey())
            let response = try await f.push(headers: try f.headers(jwt: forged))
            #expect(response.status == 403)
            #expect(response.reason == "InvalidProviderToken")
            #expect(response.headers["apns-id"] != nil)
            #expect(await f.apns.accepted().isEmpty)
            #expect(await f.apns.requests().count == 1)
        }
    }

    @Test func refusesAnOversizePayload() async throws {
        try await APNsFixture.with { f in
            let big = #"{"aps":{"alert":""# + String(repeating: "x", count: 4100) + #""}}"#
            let response = try await f.push(body: big)
            #expect(response.status == 413)
            #expect(response.reason == "PayloadTooLarge")
        }
    }

    @Test func injected410CarriesTimestamp() async throws {
        try await APNsFixture.with { f in
            let when = Date(timeIntervalSince1970: 1_700_000_000.5)
            await f.apns.injectAPNsError(status: 410, reason: "Unregistered", timestamp: when, deviceToken: APNsFixture.device)
            let other = String(repeating: "cd", count: 32)
            #expect(try await f.push(to: other).status == 200)  // the fault is for another device
            let response = try await f.push()
            #expect(response.status == 410)
            #expect(response.reason == "Unregistered")
            #expect(response.json?["timestamp"]?.intValue == 1_700_000_000_500)
            #expect(try await f.push().status == 200)  // count 1: consumed
        }
    }

    @Test func failEverythingUntilCleared() async throws {
        try await APNsFixture.with { f in
            await f.apns.failEverything(with: .respond(status: 503, body: #"{"reason":"ServiceUnavailable"}"#))
            #expect(try await f.push().status == 503)
            let again = try await f.push()
            #expect(again.status == 503)
            #expect(again.reason == "ServiceUnavailable")
            #expect(again.headers["apns-id"] != nil)
            await f.apns.failEverything(with: nil)
            #expect(try await f.push().status == 200)
            #expect(await f.apns.requests().count == 3)
            #expect(await f.apns.accepted().count == 1)
        }
    }

    @Test func checksHeadersLikeApple() async throws {
        try await APNsFixture.with { f in
            let base = try f.headers()
            func without(_ name: String) -> [(String, String)] { base.filter { $0.0 != name } }
            func with(_ name: String, _ value: String) -> [(String, String)] { without(name) + [(name, value)] }
            let cases: [([(String, String)], String, Int, String)] = [
                (without("authorization"), APNsFixture.device, 403, "MissingProviderToken"),
                (base, "nothex", 400, "BadDeviceToken"),
                (without("apns-topic"), APNsFixture.device, 400, "MissingTopic"),
                (with("apns-topic", "com.other.app"), APNsFixture.device, 400, "DeviceTokenNotForTopic"),
                (with("apns-push-type", "shout"), APNsFixture.device, 400, "InvalidPushType"),
                (with("apns-priority", "7"), APNsFixture.device, 400, "BadPriority"),
                (with("apns-expiration", "tomorrow"), APNsFixture.device, 400, "BadExpirationDate"),
                (with("apns-collapse-id", String(repeating: "c", count: 65)), APNsFixture.device, 400, "BadCollapseId"),
                (with("apns-id", UUID().uuidString.uppercased()), APNsFixture.device, 400, "BadMessageId"),
            ]
            for (headers, device, status, reason) in cases {
                let response = try await f.push(to: device, headers: headers)
                #expect(response.status == status, "\(reason)")
                #expect(response.reason == reason)
            }
            #expect(try await f.push(body: "").reason == "PayloadEmpty")
            #expect(try await f.push(body: #"{"alert":"no aps"}"#).reason == "BadPayload")
            let get = try await f.curl.request(f.apns.url + "/3/device/" + APNsFixture.device, headers: base)
            #expect(get.status == 405)
            #expect(get.reason == "MethodNotAllowed")
            #expect(await f.apns.accepted().isEmpty)
        }
    }

    @Test func enforcesProviderTokenLifetimeAndRefreshRate() async throws {
        try await APNsFixture.with { f in
            let old = try f.jwt(issuedAt: Date().addingTimeInterval(-3700))
            #expect(try await f.push(headers: try f.headers(jwt: old)).reason == "ExpiredProviderToken")
            #expect(try await f.push().status == 200)  // a fresh token right after ExpiredProviderToken is fine
            let renewed = try f.jwt(issuedAt: Date().addingTimeInterval(-5))
            let tooSoon = try await f.push(headers: try f.headers(jwt: renewed))
            #expect(tooSoon.status == 429)
            #expect(tooSoon.reason == "TooManyProviderTokenUpdates")
            await f.apns.advanceClock(by: 21 * 60)
            #expect(try await f.push(headers: try f.headers(jwt: renewed)).status == 200)
        }
    }

    @Test func resetStreamFault() async throws {
        try await APNsFixture.with { f throws in
            await f.apns.inject(.resetStream)
            await #expect(throws: Curl.CurlFailed.self) { try await f.push() }
            #expect(try await f.push().status == 200)
        }
    }
}
