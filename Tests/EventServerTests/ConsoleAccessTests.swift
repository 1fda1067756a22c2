import Crypto
import CurlClient
import EventServer
import Foundation
import Model
import Storage
import Testing
import ZmesTestSupport

/// The console's doors, over HTTP as a browser sends them (the pages themselves are checked in Chromium).
@Suite("Console access")
struct ConsoleAccessTests {
    struct Browser {
        let port: Int
        var cookie: String?
        /// HTTPS trusting this certificate, when the admin listener speaks TLS.
        var caFile: String? = nil

        func send(_ path: String, method: String = "GET", form: [String: String]? = nil) async throws -> CurlResponse {
            guard let form else { return try await send(path, method: method, body: [], contentType: nil) }
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            return try await send(path, method: method, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
        }

        /// A `multipart/form-data` post, as a browser sends a form with file inputs: (field, file name, contents).
        func upload(_ path: String, _ parts: [(field: String, fileName: String?, contents: String)]) async throws -> CurlResponse {
            let boundary = "----zmesTestBoundary7MA4YWxkTrZu0gW"
            var body = ""
            for part in parts {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.field)\""
                if let fileName = part.fileName { body += "; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream" }
                body += "\r\n\r\n\(part.contents)\r\n"
            }
            body += "--\(boundary)--\r\n"
            return try await send(path, method: "POST", body: Array(body.utf8), contentType: "multipart/form-data; boundary=\(boundary)")
        }

        func send(_ path: String, method: String, body: [UInt8], contentType: String?) async throws -> CurlResponse {
            var headers: [(name: String, value: String)] = []
            if let cookie { headers.append(("cookie", cookie)) }
            if let contentType { headers.append(("content-type", contentType)) }
            let scheme = caFile == nil ? "http" : "https"
            let request = CurlRequest(url: "\(scheme)://127.0.0.1:\(port)\(path)", method: method, headers: headers, body: body, caFile: caFile)
            return try await withTimeout(.seconds(15), "\(method) \(path)") { try await TestServer.http.send(request) }
        }

        /// Logs in; keeps the session cookie.
        mutating func login(_ user: String, _ password: String) async throws -> CurlResponse {
            let response = try await send("/login", method: "POST", form: ["user": user, "password": password])
            if let setCookie = response.headers["set-cookie"] { cookie = String(setCookie.split(separator: ";")[0]) }
            return response
        }

        /// The session's CSRF token, as the page's forms carry it.
        func csrf() async throws -> String {
            let page = try await send("/").bodyText
            let marker = try #require(page.range(of: "name=\"csrf\" value=\""))
            return String(page[marker.upperBound...].prefix { $0 != "\"" })
        }
    }

    static let users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all)]

    static func withOperator(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.withServer { server in
            let store = try server.store()
            try await store.saveUser(User(name: "ops", passwordHash: await PasswordHasher.hash("ops-pw", cost: 4), monitors: .all, isAdmin: true))
            try await body(server)
        }
    }

    @Test("an operator logs in with a session cookie (HttpOnly, SameSite=Strict); ordinary users and wrong passwords are refused")
    func login() async throws {
        try await Self.withOperator { server in
            var browser = Browser(port: server.ports.admin)
            let anonymous = try await browser.send("/")
            #expect(anonymous.status == 303)
            #expect(anonymous.headers["location"] == "/login")
            let form = try await browser.send("/login").bodyText
            #expect(form.contains("<label for=\"user\">User</label>") && form.contains("<label for=\"password\">Password</label>"))

            let ordinaryUser = try await browser.login("alice", "secret")
            #expect(ordinaryUser.status == 401, "an ordinary user is refused")
            #expect(browser.cookie == nil)
            let wrongPassword = try await browser.login("ops", "wrong")
            #expect(wrongPassword.status == 401)
            let good = try await browser.login("ops", "ops-pw")
            #expect(good.status == 303)
            let setCookie = try #require(good.headers["set-cookie"])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            let overview = try await browser.send("/")
            #expect(overview.status == 200)
            #expect(overview.bodyText.contains("Log out ops"))
            #expect(overview.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        }
    }

    @Test("a form posted without the session's CSRF token is refused and changes nothing; logging out ends the session")
    func csrfAndLogout() async throws {
        try await Self.withOperator { server in
            var browser = Browser(port: server.ports.admin)
            _ = try await browser.login("ops", "ops-pw")
            let token = try await browser.csrf()
            #expect(try await browser.send("/logout", method: "POST", form: [:]).status == 403)
            #expect(try await browser.send("/logout", method: "POST", form: ["csrf": String(repeating: "0", count: 64)]).status == 403)
            #expect(try await browser.send("/").status == 200, "still logged in")
            let out = try await browser.send("/logout", method: "POST", form: ["csrf": token])
            #expect(out.status == 303)
            #expect(out.headers["set-cookie"]?.contains("Max-Age=0") == true)
            let after = try await browser.send("/")
            #expect(after.status == 303, "the old cookie no longer opens the console")
        }
    }

    @Test("failed console logins count against the login limits of their address, shared with websocket logins")
    func rateLimited() async throws {
        try await TestServer.withServer(configure: { $0.auth.maxFailures = 3 }) { server in
            var browser = Browser(port: server.ports.admin)
            for _ in 0..<3 {
                let refused = try await browser.login("ops", "guess")
                #expect(refused.status == 401)
            }
            let overTheLimit = try await browser.login("ops", "guess")
            #expect(overTheLimit.status == 429)
            // The same budget as websocket logins from that address: a phone there is refused too.
            let phone = try await TestClient.connect(to: server)
            try await phone.send(json: ["event": "auth", "data": ["user": "alice", "password": "secret"]])
            #expect(try await phone.receive()["reason"] as? String == "RATELIMITED")
            await phone.close()
        }
    }

    @Test("with admin.token, the token logs in to the console while the JSON API still wants it as a bearer")
    func tokenLogin() async throws {
        try await TestServer.withServer(configure: { $0.admin.token = "console-token-123" }) { server in
            var browser = Browser(port: server.ports.admin)
            let wrongToken = try await browser.login("", "not-the-token")
            #expect(wrongToken.status == 401)
            let withToken = try await browser.login("", "console-token-123")
            #expect(withToken.status == 303)
            #expect(try await browser.send("/").bodyText.contains("Log out admin.token"))
            #expect(try await browser.send("/healthz").status == 401)
        }
    }

    @Test("admin.tls.enabled serves the console and the API over HTTPS with the websocket's certificate; the cookie is Secure")
    func overTLS() async throws {
        try await TestServer.withServer(configure: { $0.admin.tls.enabled = true }) { server in
            try await server.store().saveUser(User(name: "ops", passwordHash: await PasswordHasher.hash("ops-pw", cost: 4), monitors: .all, isAdmin: true))
            var browser = Browser(port: server.ports.admin, caFile: server.certificatePath)
            let good = try await browser.login("ops", "ops-pw")
            #expect(good.status == 303)
            #expect(good.headers["set-cookie"]?.hasSuffix("; Secure") == true)
            #expect(try await browser.send("/").bodyText.contains("Log out ops"))
            #expect(try await browser.send("/healthz").status == 200)
            let plain = try? await Browser(port: server.ports.admin).send("/healthz")
            #expect(plain?.status != 200, "plain HTTP is not answered")
        }
    }

    @Test("with pictures on, the Monitors page shows each monitor's recent events with their signed pictures")
    func recentEventPictures() async throws {
        let token = String(repeating: "c3", count: 32)
        try await TestServer.withLoggedInClient(token: token, configure: {
            $0.pictures.enabled = true
            $0.pictures.publicURL = "https://zm.example.com:9000"
        }) { server, client in
            try await client.registerDevice(token: token, state: "enabled")
            try await server.store().saveUser(User(name: "ops", passwordHash: await PasswordHasher.hash("ops-pw", cost: 4), monitors: .all, isAdmin: true))
            try await server.alarm(monitor: 1, event: 4321, cause: "Motion")
            var browser = Browser(port: server.ports.admin)
            _ = try await browser.login("ops", "ops-pw")
            let page = try await browser.send("/monitors")
            #expect(page.bodyText.contains("<img src=\"https://zm.example.com:9000/pictures/4321/snapshot?exp="), "\(page.bodyText)")
            #expect(page.bodyText.contains("alt=\"Event 4321: Motion\""))
            #expect(page.headers["content-security-policy"]?.contains("img-src https://zm.example.com:9000") == true)
        }
    }

    @Test("a credentials file uploaded from the console is checked as `zmes credentials add` checks it, refused whole with the reason on any error, and never makes zmes read its own disk")
    func credentialsUpload() async throws {
        try await Self.withOperator { server in
            var browser = Browser(port: server.ports.admin)
            _ = try await browser.login("ops", "ops-pw")
            let csrf = try await browser.csrf()
            let key = P256.Signing.PrivateKey().pemRepresentation
            // A good key on zmes's own disk, which an uploaded file must not be able to name.
            try key.write(toFile: server.directory + "/OnDisk.p8", atomically: true, encoding: .utf8)
            func credentials(keyFile: String = "AuthKey.p8", caFile: String = "") -> String {
                "apns:\n  - {name: uploaded, key_file: \"\(keyFile)\", key_id: ABC123DEFG, team_id: DEF123GHIJ, topic: com.example.app, ca_file: \"\(caFile)\"}\n"
            }
            let refusals: [(parts: [(field: String, fileName: String?, contents: String)], status: Int, says: String)] = [
                ([("credentials", "c.yml", credentials()), ("keys", "AuthKey.p8", key)], 403, "CSRF"),
                ([("csrf", nil, csrf), ("keys", "AuthKey.p8", key)], 400, "choose a credentials file"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", credentials())], 400, "key file AuthKey.p8 (among the uploaded files) does not exist"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", credentials(keyFile: server.directory + "/OnDisk.p8"))], 400,
                    "key file OnDisk.p8 (among the uploaded files) does not exist"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", credentials()), ("keys", "AuthKey.p8", "not a key")], 400, "is not a P-256 private key"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", credentials(caFile: "ca.pem")), ("keys", "AuthKey.p8", key)], 400,
                    "must be an absolute path on the zmes machine"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", credentials()), ("keys", "../AuthKey.p8", key)], 400, "must be a plain file name"),
                ([("csrf", nil, csrf), ("credentials", "c.yml", "apns: [unclosed")], 400, "not a valid credentials file"),
            ]
            for refusal in refusals {
                let response = try await browser.upload("/credentials/upload", refusal.parts)
                #expect(response.status == refusal.status, "\(refusal.says): \(response.bodyText.prefix(300))")
                #expect(response.bodyText.contains(refusal.says), "\(response.bodyText.prefix(2_000))")
            }
            let broken = try await browser.send("/credentials/upload", method: "POST", body: Array("--x\r\nnot multipart".utf8),
                contentType: "multipart/form-data; boundary=x")
            #expect(broken.status == 400)
            #expect(try await server.store().credentials().isEmpty, "nothing refused was registered")

            let good = try await browser.upload(
                "/credentials/upload", [("csrf", nil, csrf), ("credentials", "credentials.yml", credentials(keyFile: "keys/AuthKey.p8")), ("keys", "AuthKey.p8", key)])
            #expect(good.status == 303)
            #expect(good.headers["location"]?.hasPrefix("/credentials?added=") == true)
            #expect(try await server.store().credentials().map(\.name) == ["uploaded"])
            let page = try await browser.send(try #require(good.headers["location"])).bodyText
            #expect(page.contains("Added apns &#39;uploaded&#39;; zmes uses them now.") || page.contains("Added apns 'uploaded'"), "\(page.prefix(3_000))")
            #expect(page.contains("id=\"credential-uploaded\""))
        }
    }

    @Test("the Pushes page filters by state, provider, device and time; failed pushes are replayed one, a selection, or all since a time")
    func pushesFilterAndReplay() async throws {
        try await Self.withOperator { server in
            let store = try server.store()
            // No credentials in this server: its dispatcher leaves these jobs alone; they are failed here by hand.
            let now = Date()
            let twoDaysAgo = now.addingTimeInterval(-2 * 86_400)
            func failed(_ tokens: [String], provider: PushProvider, event: Int, at time: Date) async throws {
                for token in tokens {
                    try await store.register(
                        DeviceRegistration(token: token, user: "alice", platform: provider == .apns ? .ios : .android, state: .enabled, filter: nil, appVersion: ""),
                        at: time)
                }
                _ = try await store.recordNotifications(
                    for: Alarm(monitorId: 1, monitorName: "Porch", eventId: event, cause: "Motion"),
                    candidates: tokens.map { NotificationCandidate(token: $0, interval: 0, provider: provider) }, at: time)
                let claimed = try await store.claimDueJobs(limit: 10, providers: [provider], at: time)
                try await store.record(claimed.map { ($0.job.id, $0.job.token, JobResult.failed(reason: "BadDeviceToken")) }, at: time)
            }
            try await failed(["aa11", "bb22", "cc33"], provider: .apns, event: 1, at: now)
            try await failed(["dd44"], provider: .fcm, event: 2, at: twoDaysAgo)
            let ids = Dictionary(uniqueKeysWithValues: try await store.pushJobs().map { ($0.token, $0.id) })

            var browser = Browser(port: server.ports.admin)
            _ = try await browser.login("ops", "ops-pw")
            let csrf = try await browser.csrf()
            func rows(_ query: String) async throws -> [String] {
                let page = try await browser.send("/pushes" + query).bodyText
                return page.components(separatedBy: "<tr id=\"push-").dropFirst().map { String($0.prefix { $0 != "\"" }) }.sorted()
            }
            let apns = try await rows("?state=failed&provider=apns")
            #expect(apns == ["aa11", "bb22", "cc33"].map { "\(ids[$0]!)" }.sorted(), "only the failed APNs pushes")
            #expect(try await rows("?device=bb2") == ["\(ids["bb22"]!)"], "by the device's token prefix")
            #expect(try await rows("?state=failed&since=86400").count == 3, "the FCM push of two days ago is outside the last day")
            #expect(try await rows("?state=failed&since=604800").count == 4)

            let refused = try await browser.send("/pushes/replay-selected", method: "POST", form: ["push-\(ids["aa11"]!)": "on"])
            #expect(refused.status == 403, "no CSRF token: refused")
            let chosen = try await browser.send(
                "/pushes/replay-selected", method: "POST", form: ["csrf": csrf, "push-\(ids["aa11"]!)": "on", "push-\(ids["bb22"]!)": "on"])
            #expect(chosen.headers["location"] == "/pushes?replayed=2")
            #expect(try await browser.send("/pushes?replayed=2").bodyText.contains("2 pushes are queued again."))
            let sinceADay = try await browser.send("/pushes/replay-failed", method: "POST", form: ["csrf": csrf, "since": "86400"])
            #expect(sinceADay.headers["location"] == "/pushes?replayed=1", "cc33 only: dd44 failed two days ago")
            let states = Dictionary(uniqueKeysWithValues: try await store.pushJobs().map { ($0.token, $0.state) })
            #expect(states == ["aa11": .queued, "bb22": .queued, "cc33": .queued, "dd44": .failed])
            let all = try await browser.send("/pushes/replay-failed", method: "POST", form: ["csrf": csrf, "since": ""])
            #expect(all.headers["location"] == "/pushes?replayed=1")
        }
    }
}
