import EventServer
import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("Mutes and rules")
struct MuteTests {
    static let token = String(repeating: "b2", count: 32)

    @Test("a monitor muted through the admin API sends nothing, others still do, and unmuting sends again")
    func manualMute() async throws {
        try await TestServer.withLoggedInClient(token: Self.token) { server, client in
            try await client.registerDevice(token: Self.token, state: "enabled")
            let (status, muted) = try await server.post("/api/v1/monitors/1/mute", json: ["seconds": 3_600])
            #expect(status == 200)
            #expect(muted["monitorId"] as? Int == 1)
            let (_, list) = try await server.get("/api/v1/monitors/mutes")
            #expect(String(decoding: list, as: UTF8.self).contains("\"monitorId\":1"))

            let silenced = try await server.alarm(monitor: 1, event: 10)
            #expect(silenced["pushesQueued"] as? Int == 0)
            #expect((silenced["muted"] as? String)?.hasPrefix("monitor muted until") == true)
            try await client.expectNoPendingMessage()
            #expect(try await server.store().pushJobs().isEmpty)

            let other = try await server.alarm(monitor: 2, event: 11)
            #expect(other["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")

            let (unmuteStatus, _) = try await server.delete("/api/v1/monitors/1/mute")
            #expect(unmuteStatus == 200)
            let again = try await server.alarm(monitor: 1, event: 12)
            #expect(again["pushesQueued"] as? Int == 1)
            #expect(again["muted"] == nil)
            #expect(try await client.receive()["event"] as? String == "alarm")
        }
    }

    @Test("bad mute requests get 400 and change nothing")
    func badMuteRequests() async throws {
        try await TestServer.withServer { server in
            for (path, body) in [
                ("/api/v1/monitors/1/mute", ["seconds": 0]), ("/api/v1/monitors/1/mute", ["seconds": 40_000_000]),
                ("/api/v1/monitors/abc/mute", ["seconds": 60]), ("/api/v1/monitors/-1/mute", ["seconds": 60]),
                ("/api/v1/monitors/99999999999999999999/mute", ["seconds": 60]), ("/api/v1/monitors/1/mute", ["minutes": 5]),
            ] as [(String, [String: Any])] {
                let (status, reply) = try await server.post(path, json: body)
                #expect(status == 400, "\(path) \(body)")
                #expect(reply["error"] is String)
            }
            #expect(try await server.store().monitorMutes().isEmpty)
        }
    }

    @Test("rules: a mute rule by cause and time silences only what it names; critical marks the push")
    func rules() async throws {
        let minute = LocalTime(Date()).minuteOfDay
        func clock(_ minutes: Int) -> String {
            let wrapped = ((minutes % 1_440) + 1_440) % 1_440
            return String(format: "%02d:%02d", wrapped / 60, wrapped % 60)
        }
        let yaml = """
            rules:
              - {monitor: 1, cause_has: "^(?!.*person)", action: mute}
              - {monitor: 1, cause_has: "PERSON", action: critical}
              - {monitor: 2, from: "\(clock(minute - 60))", to: "\(clock(minute + 60))", action: mute}
              - {monitor: 3, from: "\(clock(minute + 60))", to: "\(clock(minute + 120))", action: mute}
            """
        let rules = try ConfigurationLoader(environment: [:]).load(yaml: yaml).rules
        #expect(rules.count == 4)
        try await TestServer.withLoggedInClient(token: Self.token, configure: { $0.rules = rules }) { server, client in
            try await client.registerDevice(token: Self.token, state: "enabled")
            let motion = try await server.alarm(monitor: 1, event: 20, cause: "Motion: All")
            #expect(motion["muted"] as? String == "rule")
            let person = try await server.alarm(monitor: 1, event: 21, cause: "detected:person:91%")
            #expect(person["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            let job = try #require(try await server.store().pushJobs().first)
            #expect(job.alarm.critical)
            #expect(job.alarm.eventId == 21)

            let inWindow = try await server.alarm(monitor: 2, event: 22)
            #expect(inWindow["muted"] as? String == "rule")
            let outsideWindow = try await server.alarm(monitor: 3, event: 23)
            #expect(outsideWindow["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            #expect(try await server.store().pushJobs().first { $0.alarm.eventId == 23 }?.alarm.critical == false)
        }
    }

    @Test("rules in zmes.yml: each mistake names the rule and what is wrong")
    func badRules() {
        let cases: [(String, String)] = [
            ("rules:\n  - {monitor: 1, action: silence}\n", "rules[0].action"),
            ("rules:\n  - {monitor: x, action: mute}\n", "rules[0].monitor"),
            ("rules:\n  - {monitor: 1, colour: red, action: mute}\n", "rules[0].colour"),
            ("rules:\n  - {monitor: 1, from: \"21:00\", action: mute}\n", "from and to go together"),
            ("rules:\n  - {monitor: 1, from: \"25:00\", to: \"07:00\", action: mute}\n", "HH:MM"),
            ("rules:\n  - {monitor: 1, days: [mon, funday], action: mute}\n", "funday"),
            ("rules:\n  - {monitor: 1, cause_has: \"(unclosed\", action: mute}\n", "cause_has"),
            ("rules: {monitor: 1}\n", "rules"),
        ]
        for (yaml, expected) in cases {
            #expect(throws: ConfigurationError.self, "\(yaml)") { try ConfigurationLoader(environment: [:]).load(yaml: yaml) }
            do {
                _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            } catch {
                #expect("\(error)".contains(expected), "\(yaml): \(error)")
            }
        }
    }
}
