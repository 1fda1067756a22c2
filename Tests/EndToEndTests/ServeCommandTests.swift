import Foundation
import NIOWebSocket
import Testing
import ZmesTestSupport

/// Runs the real `zmes` binary, as an operator would.
@Suite("zmes serve and the operator commands", .serialized)
struct ServeCommandTests {
    @Test("first start prints the admin password; a device registers; zmes alarm reaches it; the CLI lists it; SIGTERM exits 0")
    func operatorFlow() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory, sections: "zoneminder:\n  monitors: [{id: 1, name: Garage}]\n")
        try await Zmes.serving(in: directory) { server, ports in
            let password = try #require(server.standardOutput.firstMatch(of: /password ([A-Za-z0-9]+)/)?.1)

            let token = String(repeating: "c0ffee", count: 11)
            let client = try await TestClient.connect(port: ports.webSocket, certificatePath: directory + "/zmes-data/zmes-cert.pem")
            try await client.login("admin", String(password), token: token)
            try await client.send(json: [
                "event": "push", "data": ["type": "token", "platform": "ios", "token": token, "state": "enabled", "appversion": "1.8.001"], "token": token,
            ])
            try await client.expectNoPendingMessage()

            let alarm = try Zmes.run(["alarm", "--monitor", "1", "--event", "5060", "--cause", "Motion: Driveway"], in: directory)
            #expect(alarm.status == 0, "\(alarm.errors)")
            #expect(alarm.output.contains("\"pushesQueued\":1"))
            let message = try await client.receive()
            #expect(message["supplementary"] as? String == "true")
            let event = try #require((message["events"] as? [[String: Any]])?.first)
            #expect(event["Name"] as? String == "Garage")  // from zoneminder.monitors
            #expect(event["EventId"] as? String == "5060")

            let tokens = try Zmes.json(["token", "list", "--json"], in: directory)
            #expect(tokens.count == 1)
            #expect(tokens.first?["token"] as? String == token)
            #expect(tokens.first?["user"] as? String == "admin")
            #expect(tokens.first?["platform"] as? String == "ios")
            #expect(tokens.first?["state"] as? String == "enabled")
            #expect(tokens.first?["appversion"] as? String == "1.8.001")
            #expect(tokens.first?["badge"] as? Int == 0)
            let plain = try Zmes.run(["token", "list"], in: directory)
            #expect(!plain.output.contains(token))  // shortened outside JSON

            let pushes = try Zmes.json(["push", "list", "--json", "--state", "queued"], in: directory)
            #expect(pushes.count == 1)
            #expect(pushes.first?["token"] as? String == token)
            #expect(pushes.first?["state"] as? String == "queued")
            #expect(pushes.first?["eventId"] as? Int == 5060)
            #expect(pushes.first?["monitorId"] as? Int == 1)
            #expect(pushes.first?["attempts"] as? Int == 0)
            #expect((pushes.first?["createdAt"] as? String)?.hasSuffix("Z") == true)

            // SIGTERM: the session is told the server is going away (1001), then zmes exits 0.
            let status = try await server.terminate()
            #expect(try await client.closeCode() == .goingAway)
            #expect(status == 0)
            // A clean stop logs nothing at error level.
            let errorLines = server.standardError.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
            #expect(errorLines.isEmpty, "\(errorLines)")
        }
    }

    @Test("a second serve on a busy port names the address, the port and the keys; a misspelt ZMES_ variable is an error")
    func startupErrorsNameTheCause() async throws {
        let directory = Zmes.makeDirectory()
        let webSocketPort = try Zmes.freePort()
        try "server: {address: 127.0.0.1, port: \(webSocketPort), tls: {enabled: false}}\nadmin: {port: \(try Zmes.freePort())}\n"
            .write(toFile: directory + "/zmes.yml", atomically: true, encoding: .utf8)
        let first = try Zmes.start(["serve"], in: directory)
        defer { first.terminateIfRunning() }
        _ = try await first.waitForListening()
        // The same websocket port, a free admin port: only the websocket listener can fail.
        try "server: {address: 127.0.0.1, port: \(webSocketPort), tls: {enabled: false}}\nadmin: {port: \(try Zmes.freePort())}\nstore: {path: second.sqlite}\n"
            .write(toFile: directory + "/busy.yml", atomically: true, encoding: .utf8)
        let second = try Zmes.run(["serve", "--config", "busy.yml"], in: directory)
        #expect(second.status == 1)
        #expect(second.errors.contains("Error: cannot listen on 127.0.0.1:\(webSocketPort) (server.address/server.port)"), "\(second.errors)")
        #expect(second.errors.contains("already in use"))
        #expect(try await first.terminate() == 0)

        let misspelt = try Zmes.run(["check-config"], in: directory, environment: ["ZMES_SERVER_PROT": "1"])
        #expect(misspelt.status == 1)
        #expect(misspelt.output.contains("Error: unknown environment variable ZMES_SERVER_PROT"), "\(misspelt.output)")
        let refused = try Zmes.run(["serve"], in: directory, environment: ["ZMES_SERVER_PROT": "1"])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("ZMES_SERVER_PROT"))
    }

    @Test("user add reads one line from stdin; the new password logs in and monitors are limited")
    func userCommands() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory, server: ["tls: {enabled: false}"])
        let added = try Zmes.run(["user", "add", "bob", "--monitors", "1,2", "--password-stdin"], in: directory, input: "pw with spaces\n")
        #expect(added.status == 0, "\(added.errors)")
        let users = try Zmes.json(["user", "list", "--json"], in: directory)
        #expect(users.first?["name"] as? String == "bob")
        #expect(users.first?["monitors"] as? String == "1,2")
        #expect(users.first?["admin"] as? Bool == false)
        let refused = try Zmes.run(["user", "add", "eve", "--monitors", "one", "--password-stdin"], in: directory, input: "x\n")
        #expect(refused.status != 0)
        #expect(refused.errors.contains("--monitors"))

        // The console's operators: --admin makes one, a password change keeps it, --no-admin ends it.
        #expect(try Zmes.run(["user", "add", "ops", "--admin", "--password-stdin"], in: directory, input: "ops-pw-1\n").output == "created user ops (admin)\n")
        #expect(try Zmes.run(["user", "add", "ops", "--password-stdin"], in: directory, input: "ops-pw-2\n").output == "updated user ops (admin)\n")
        #expect(try Zmes.json(["user", "list", "--json"], in: directory).first { $0["name"] as? String == "ops" }?["admin"] as? Bool == true)
        #expect(try Zmes.run(["user", "list"], in: directory).output.contains("ADMIN"))
        #expect(try Zmes.run(["user", "add", "ops", "--no-admin", "--password-stdin"], in: directory, input: "ops-pw-3\n").output == "updated user ops\n")
        #expect(try Zmes.json(["user", "list", "--json"], in: directory).first { $0["name"] as? String == "ops" }?["admin"] as? Bool == false)
        #expect(try Zmes.run(["user", "remove", "ops"], in: directory).status == 0)

        try await Zmes.serving(in: directory) { server, ports in
            #expect(!server.standardOutput.contains("password"))  // a user exists: no admin created
            let client = try await TestClient.connect(port: ports.webSocket, certificatePath: nil)
            try await client.login("bob", "pw with spaces")
            let alarm = try Zmes.run(["alarm", "--monitor", "3"], in: directory)
            #expect(alarm.output.contains("\"websocketDeliveries\":0"))
            await client.close()
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("zmes monitor mute, list and unmute; a bad duration is refused")
    func monitorMuteCommands() throws {
        let directory = Zmes.makeDirectory()
        let muted = try Zmes.run(["monitor", "mute", "3", "--for", "1h30m"], in: directory)
        #expect(muted.status == 0, "\(muted.errors)")
        #expect(muted.output.contains("monitor 3 muted until"))
        let list = try Zmes.json(["monitor", "list", "--json"], in: directory)
        #expect(list.count == 1)
        #expect(list.first?["monitorId"] as? Int == 3)
        let until = try #require((list.first?["until"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(abs(until.timeIntervalSinceNow - 5_400) < 120)
        for bad in ["2x", "0m", "999d", "h"] {
            let refused = try Zmes.run(["monitor", "mute", "3", "--for", bad], in: directory)
            #expect(refused.status != 0, "--for \(bad)")
            #expect(refused.errors.contains("--for must be a duration"), "--for \(bad): \(refused.errors)")
        }
        #expect(try Zmes.run(["monitor", "unmute", "3"], in: directory).output.contains("monitor 3 unmuted"))
        #expect(try Zmes.json(["monitor", "list", "--json"], in: directory).isEmpty)
    }

    @Test("check-config names the key that is wrong and exits 1")
    func checkConfig() throws {
        let directory = Zmes.makeDirectory()
        let cases: [(String, String)] = [
            ("server:\n  port: nine\n", "server.port"),
            ("server:\n  tls:\n    enabeld: false\n", "server.tls.enabeld"),
            ("push:\n  enabled: perhaps\n", "push.enabled"),
            ("auth:\n  backend: ldap\n", "auth.backend"),
            ("admin:\n  address: 0.0.0.0\n", "admin.token"),
            ("zoneminder:\n  monitors: [{id: x, name: Garage}]\n", "zoneminder.monitors[0].id"),
            ("server: [1, 2]\n", "server"),
            ("server: {port: 9000\n", "not valid YAML"),
            ("log:\n  level: loud\n", "log.level"),
        ]
        for (text, key) in cases {
            try text.write(toFile: directory + "/bad.yml", atomically: true, encoding: .utf8)
            let result = try Zmes.run(["check-config", "--config", "bad.yml"], in: directory)
            #expect(result.status == 1, "for \(text)")
            #expect(result.output.contains(key), "for \(text): \(result.output)")
        }
        try "admin:\n  token: s3cret-admin-token\n".write(toFile: directory + "/good.yml", atomically: true, encoding: .utf8)
        let good = try Zmes.run(["check-config", "--config", "good.yml"], in: directory)
        #expect(good.status == 0)
        #expect(!good.output.contains("s3cret-admin-token"))
        #expect(good.output.contains("token: \"********\""))

        try "fcm:\n  - {name: firebase, service_account_file: missing.json}\n".write(toFile: directory + "/creds.yml", atomically: true, encoding: .utf8)
        let badCredentials = try Zmes.run(["check-config", "--config", "good.yml", "--credentials", "creds.yml"], in: directory)
        #expect(badCredentials.status == 1)
        #expect(badCredentials.output.contains("fcm 'firebase'"))
    }

    @Test("environment variables override the file")
    func environmentOverride() throws {
        let directory = Zmes.makeDirectory()
        let result = try Zmes.run(["check-config"], in: directory, environment: ["ZMES_SERVER_PORT": "9443", "ZMES_PUSH_ENABLED": "false"])
        #expect(result.status == 0)
        #expect(result.output.contains("port: 9443"))
        #expect(result.output.contains("enabled: false"))
    }
}
