import Foundation
import Testing
import ZmesTestSupport

/// Who the admin API answers: a browser page must not reach it through DNS rebinding or a form post.
@Suite("Admin API access rules", .serialized)
struct AdminAccessTests {
    static let alarm = #"{"monitorId":"1","cause":"test"}"#

    static func request(_ method: String, _ path: String, host: String, headers: [String] = [], body: String = "") -> String {
        ([
            "\(method) \(path) HTTP/1.1", "Host: \(host)", "Connection: close", "Content-Length: \(body.utf8.count)",
        ] + headers).joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("without admin.token: a foreign Host gets 403, a text/plain POST 415, loopback hosts with JSON are served; idle connections are closed")
    func withoutToken() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory, admin: ["idle_timeout: 1"])
        try await Zmes.serving(in: directory) { server, ports in
            let port = ports.admin

            let evil = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "evil.example"))
            let rebound = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "evil.example:\(port)"))
            let lookalike = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "127.0.0.1.evil.example"))
            print("Host: evil.example -> \(evil.status) \(evil.body)")
            #expect(evil.status == 403)
            #expect(rebound.status == 403)
            #expect(lookalike.status == 403)
            for host in ["localhost", "localhost:\(port)", "127.0.0.1:\(port)", "127.1.2.3", "[::1]:\(port)"] {
                let answer = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: host))
                #expect(answer.status == 200, "Host: \(host) -> \(answer.status)")
            }
            let plain = try RawSocket.http(
                port: port, Self.request("POST", "/api/v1/alarms", host: "127.0.0.1:\(port)", headers: ["Content-Type: text/plain"], body: Self.alarm))
            let form = try RawSocket.http(
                port: port,
                Self.request("POST", "/api/v1/alarms", host: "localhost", headers: ["Content-Type: application/x-www-form-urlencoded"], body: Self.alarm))
            let untyped = try RawSocket.http(port: port, Self.request("POST", "/api/v1/alarms", host: "localhost", body: Self.alarm))
            print("POST text/plain -> \(plain.status) \(plain.body)")
            #expect(plain.status == 415)
            #expect(form.status == 415)
            #expect(untyped.status == 415)
            let json = try RawSocket.http(
                port: port,
                Self.request("POST", "/api/v1/alarms", host: "127.0.0.1:\(port)", headers: ["Content-Type: application/json; charset=utf-8"], body: Self.alarm))
            #expect(json.status == 202, "\(json.body)")
            // The CLI goes through the same rules.
            #expect(try Zmes.run(["alarm", "--monitor", "1"], in: directory).status == 0)

            // admin.idle_timeout: 1 — a connection that sends nothing is closed (the read sees the end, not its own 15 s timeout).
            let idle = try RawSocket(port: port, timeout: 15)
            defer { idle.close() }
            let started = ContinuousClock.now
            let ended = idle.readToEnd()
            print("idle admin connection closed after \(ContinuousClock.now - started)")
            #expect(ended != nil, "the idle admin connection was still open after 15 s")
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("with admin.token: a wrong or missing token gets 401, the right one is served")
    func withToken() async throws {
        let directory = Zmes.makeDirectory()
        let token = "s3cret-admin-token-0123456789"
        try Zmes.writeConfig(directory, admin: ["token: \(token)"])
        try await Zmes.serving(in: directory) { server, ports in
            let port = ports.admin
            let wrong = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "localhost", headers: ["Authorization: Bearer s3cret-admin-token-0123456788"]))
            let prefix = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "localhost", headers: ["Authorization: Bearer s3cret"]))
            let missing = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "localhost"))
            let right = try RawSocket.http(port: port, Self.request("GET", "/healthz", host: "localhost", headers: ["Authorization: Bearer \(token)"]))
            print("wrong token -> \(wrong.status), missing -> \(missing.status), right -> \(right.status)")
            #expect(wrong.status == 401)
            #expect(prefix.status == 401)
            #expect(missing.status == 401)
            #expect(right.status == 200)
            #expect(try Zmes.run(["alarm", "--monitor", "1"], in: directory).status == 0)
            #expect(try await server.terminate() == 0)
        }
    }
}
