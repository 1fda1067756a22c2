import Foundation
import MockProviders
import Testing
import ZmesTestSupport

@Suite struct FCMMockTests {
    static let projectID = "zmes-test-project"
    static let device = "fcm-token-" + String(repeating: "x", count: 140)

    struct Fixture {
        let fcm: MockFCM
        let curl: Curl
        let account: JSONValue

        /// Runs `body` with a new fixture and shuts its mock down, waiting, whether or not `body` threw.
        static func with(_ body: (Fixture) async throws -> Void) async throws {
            let fixture = try await Fixture()
            try await withCleanup { try await body(fixture) } cleanup: { await fixture.fcm.shutdown() }
        }

        init() async throws {
            let authority = try TestCertificateAuthority()
            fcm = try await MockFCM(authority: authority, projectID: FCMMockTests.projectID)
            curl = try Curl(authority: authority)
            account = try #require(JSONValue.parse(fcm.serviceAccountJSON()))
        }

        func exchange(assertion: String? = nil) async throws -> Curl.Response {
            let jwt = try assertion ?? TestJWT.google(serviceAccount: account)
            return try await curl.request(
                try #require(account["token_uri"]?.stringValue),
                headers: [("content-type", "application/x-www-form-urlencoded")],
                body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(jwt)"
            )
        }

        func send(_ body: String, accessToken: String) async throws -> Curl.Response {
            try await curl.request(
                fcm.url + "/v1/projects/\(FCMMockTests.projectID)/messages:send",
                headers: [("authorization", "Bearer \(accessToken)"), ("content-type", "application/json; charset=UTF-8")],
                body: body
            )
        }
    }

    static func message(data: String = #"{"mid":"1","eid":"5060","notification_foreground":"true"}"#) -> String {
        #"{"message":{"token":"\#(device)","notification":{"title":"Front Door Alarm (5060)","body":"Motion"},"data":\#(data),"android":{"priority":"high","notification":{"channel_id":"zmninja","icon":"ic_stat_notification"}},"apns":{"headers":{"apns-priority":"10","apns-push-type":"alert"},"payload":{"aps":{"badge":1,"sound":"default"}}}}}"#
    }

    @Test func serviceAccountLooksLikeGoogles() async throws {
        try await Fixture.with { f throws in
            #expect(f.account["type"]?.stringValue == "service_account")
            #expect(f.account["project_id"]?.stringValue == Self.projectID)
            // PKCS#8; the marker is split so no key-looking literal is committed.
            #expect(f.account["private_key"]?.stringValue?.hasPrefix("-----BEGIN " + "PRIVATE KEY-----") == true)
            #expect(f.account["token_uri"]?.stringValue == f.fcm.tokenURI)
        }
    }

    @Test func tokenExchangeThenSend() async throws {
        try await Fixture.with { f in
            let exchanged = try await f.exchange()
            #expect(exchanged.status == 200)
            #expect(exchanged.json?["token_type"]?.stringValue == "Bearer")
            #expect(exchanged.json?["expires_in"]?.intValue == 3600)
            let accessToken = try #require(exchanged.json?["access_token"]?.stringValue)
            #expect(await f.fcm.accessTokensIssued() == 1)

            let sent = try await f.send(Self.message(), accessToken: accessToken)
            #expect(sent.status == 200)
            #expect(sent.json?["name"]?.stringValue == "projects/\(Self.projectID)/messages/1")
            let accepted = await f.fcm.accepted()
            #expect(accepted.count == 1)
            #expect(accepted.first?.token == Self.device)
            #expect(accepted.first?.message["data"]?["eid"]?.stringValue == "5060")

            let bad = try await f.send(Self.message(data: #"{"mid":1}"#), accessToken: accessToken)
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?["status"]?.stringValue == "INVALID_ARGUMENT")
            #expect(bad.json?["error"]?["details"]?[0]?["errorCode"]?.stringValue == "INVALID_ARGUMENT")
            #expect(await f.fcm.accepted().count == 1)

            await f.fcm.revokeAccessTokens()
            let revoked = try await f.send(Self.message(), accessToken: accessToken)
            #expect(revoked.status == 401)
            #expect(revoked.json?["error"]?["status"]?.stringValue == "UNAUTHENTICATED")
            #expect(await f.fcm.connectionCount() == 4)  // one curl invocation each
        }
    }

    @Test func refusesAForgedAssertion() async throws {
        try await Fixture.with { f in
            let other = try await MockFCM(authority: TestCertificateAuthority(), projectID: Self.projectID)
            var foreign = try #require(JSONValue.parse(other.serviceAccountJSON())).objectValue ?? [:]
            foreign["private_key_id"] = f.account["private_key_id"]
            foreign["client_email"] = f.account["client_email"]
            foreign["token_uri"] = f.account["token_uri"]
            let forged = try TestJWT.google(serviceAccount: .object(foreign))
            let response = try await f.exchange(assertion: forged)
            #expect(response.status == 400)
            #expect(response.json?["error"]?.stringValue == "invalid_grant")
            #expect(await f.fcm.accessTokensIssued() == 0)
            await other.shutdown()
        }
    }

    @Test func injectedErrorHasGooglesShape() async throws {
        try await Fixture.with { f in
            let accessToken = try #require(try await f.exchange().json?["access_token"]?.stringValue)
            await f.fcm.injectFCMError(status: 404, code: "UNREGISTERED", deviceToken: Self.device)
            await f.fcm.injectFCMError(status: 429, code: "QUOTA_EXCEEDED", retryAfter: 60)
            let gone = try await f.send(Self.message(), accessToken: accessToken)
            #expect(gone.status == 404)
            #expect(gone.json?["error"]?["code"]?.intValue == 404)
            #expect(gone.json?["error"]?["status"]?.stringValue == "NOT_FOUND")
            #expect(gone.json?["error"]?["details"]?[0]?["@type"]?.stringValue == "type.googleapis.com/google.firebase.fcm.v1.FcmError")
            #expect(gone.json?["error"]?["details"]?[0]?["errorCode"]?.stringValue == "UNREGISTERED")
            let quota = try await f.send(Self.message(), accessToken: accessToken)
            #expect(quota.status == 429)
            #expect(quota.headers["retry-after"] == "60")
            #expect(quota.json?["error"]?["status"]?.stringValue == "RESOURCE_EXHAUSTED")
            #expect(try await f.send(Self.message(), accessToken: accessToken).status == 200)
        }
    }
}
