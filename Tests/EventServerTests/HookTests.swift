import CurlClient
import EventServer
import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("Detection hooks")
struct HookTests {
    static let token = String(repeating: "c3", count: 32)
    static let detection = #"[a] detected:person:91% car:80% --SPLIT--{"labels":["person","car"],"frame_id":"alarm"}"#

    /// A server whose `hooks.event_start` is a script with `body` (then `arguments`), with `hooks` set further
    /// by `configure`, and a phone logged in with its device registered.
    private func withHook(
        _ body: String, arguments: [String] = [], configure: (inout Configuration.Hooks) -> Void = { _ in },
        _ run: (TestServer, TestClient, HookScripts) async throws -> Void
    ) async throws {
        let scripts = HookScripts()
        let hook = try scripts.script("hook.sh", body)
        try await TestServer.withLoggedInClient(
            token: Self.token,
            configure: {
                $0.hooks.eventStart = [hook] + arguments
                configure(&$0.hooks)
            }
        ) { server, client in
            try await client.registerDevice(token: Self.token, state: "enabled")
            try await run(server, client, scripts)
        }
    }

    @Test("a hook's detection goes before the cause in the push job and the websocket alarm, with its JSON")
    func detectionCarried() async throws {
        try await withHook("echo 'some log line'\necho '\(Self.detection)'", arguments: ["{eid}", "{mid}"]) { server, client, _ in
            let report = try await server.alarm(monitor: 1, event: 100, cause: "Motion: All")
            #expect(report["pushesQueued"] as? Int == 1)
            let message = try await client.receive()
            let event = try #require((message["events"] as? [[String: Any]])?.first)
            #expect(event["Cause"] as? String == "detected:person:91% car:80% Motion: All")
            let json = try #require(event["DetectionJson"] as? [String: Any])
            #expect(json["labels"] as? [String] == ["person", "car"])
            let job = try #require(try await server.store().pushJobs().first)
            #expect(job.alarm.detection == Detection(text: "detected:person:91% car:80%", json: #"{"labels":["person","car"],"frame_id":"alarm"}"#, frame: .alarm))
            #expect(job.alarm.cause == "detected:person:91% car:80% Motion: All")
        }
    }

    @Test("a hook that fails, or prints nothing, sends nothing with start_notify_on_fail: []")
    func failureSendsNothing() async throws {
        try await withHook("if [ \"$1\" = 200 ]; then exit 1; fi\nexit 0", arguments: ["{eid}"]) { server, client, _ in
            for event in [200, 201] {
                let report = try await server.alarm(monitor: 1, event: event)
                #expect(report["pushesQueued"] as? Int == 0)
                #expect((report["muted"] as? String)?.contains("hook failed") == true, "\(report)")
            }
            try await client.expectNoPendingMessage()
            #expect(try await server.store().pushJobs().isEmpty)
        }
    }

    @Test("a hook that hangs is killed with its children at the timeout; the alarm goes out after hooks.wait without a detection")
    func hangingHookKilled() async throws {
        let hang = "echo $$ > DIR/hook.pid\nsleep 1000 &\necho $! > DIR/sleep.pid\nwait"
        try await withHook(hang, configure: { $0.wait = 1; $0.timeout = 3 }) { server, client, scripts in
            let report = try await server.alarm(monitor: 1, event: 300, cause: "Motion")
            #expect(report["pushesQueued"] as? Int == 1)
            let event = try #require((try await client.receive()["events"] as? [[String: Any]])?.first)
            #expect(event["Cause"] as? String == "Motion")
            #expect(event["DetectionJson"] == nil)
            #expect(try await server.store().pushJobs().first?.alarm.detection == nil)

            #expect(await eventually { scripts.read("sleep.pid") != nil })
            let hookPid = try #require(Int32(scripts.read("hook.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            let sleepPid = try #require(Int32(scripts.read("sleep.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            #expect(await eventually(timeout: .seconds(30)) { processGone(hookPid) && processGone(sleepPid) })
        }
    }

    @Test("50 alarms at once with max_parallel: 2 never run more than 2 hooks; all run")
    func parallelLimit() async throws {
        let scripts = HookScripts()
        try FileManager.default.createDirectory(atPath: scripts.path("running"), withIntermediateDirectories: true)
        let hook = try scripts.script(
            "count.sh", "touch DIR/running/$$\nls DIR/running | wc -l >> DIR/counts\nsleep 0.2\nrm DIR/running/$$\necho detected:person")
        try await TestServer.withServer(configure: {
            $0.hooks.eventStart = [hook]
            $0.hooks.maxParallel = 2
            $0.hooks.wait = 12
        }) { server in
            // A client of its own: the shared one opens only 2 connections per host, which would
            // serialise the alarms before zmes ever sees them.
            var options = CurlClient.Configuration()
            options.maxConnectionsPerHost = 64
            let http = CurlClient(configuration: options)
            defer { http.shutdown() }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let body = #"{"monitorId":\#(index % 5 + 1),"eventId":\#(1_000 + index),"cause":"Motion"}"#
                        let request = CurlRequest(
                            url: "http://127.0.0.1:\(server.ports.admin)/api/v1/alarms", headers: [("content-type", "application/json")], body: Array(body.utf8))
                        return try await http.send(request).status
                    }
                }
                for try await status in group { #expect(status == 202) }
            }
            #expect(await eventually(timeout: .seconds(60)) { scripts.read("counts")?.split(separator: "\n").count == 50 })
            let counts = (scripts.read("counts") ?? "").split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            #expect(counts.count == 50)
            #expect(counts.allSatisfy { $0 >= 1 && $0 <= 2 }, "hooks running at once: \(counts)")
        }
    }

    @Test("names and causes reach the hook as plain arguments: a monitor named $(touch pwned) runs nothing")
    func noShell() async throws {
        let scripts = HookScripts()
        let hook = try scripts.script("record.sh", "printf '%s\\n' \"$@\" > DIR/args")
        let name = "$(touch \(scripts.path("pwned")))"
        let cause = "`touch \(scripts.path("pwned2"))`; touch \(scripts.path("pwned3"))"
        try await TestServer.withServer(configure: { $0.hooks.eventStart = [hook, "{eid}", "--name={name}", "{cause}", "{path}", "{unknown}"] }) { server in
            try await server.alarm(monitor: 4, event: 400, name: name, cause: cause)
            #expect(await eventually { scripts.read("args") != nil })
            #expect(scripts.read("args") == "400\n--name=\(name)\n\(cause)\n\n{unknown}\n")
            #expect(!scripts.exists("pwned") && !scripts.exists("pwned2") && !scripts.exists("pwned3"))
        }
    }

    @Test("skip_monitors: a skipped monitor runs no hook and is sent as without hooks")
    func skipMonitors() async throws {
        try await withHook("touch DIR/ran-$1\nexit 1", arguments: ["{mid}"], configure: { $0.skipMonitors = [2] }) { server, client, scripts in
            let skipped = try await server.alarm(monitor: 2, event: 500)
            #expect(skipped["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            #expect(!scripts.exists("ran-2"))
            let hooked = try await server.alarm(monitor: 1, event: 501)
            #expect(hooked["pushesQueued"] as? Int == 0)
            #expect(scripts.exists("ran-1"))
            try await client.expectNoPendingMessage()
        }
    }

    @Test("end_notify_if_start_success: an end is sent only when its start's hook succeeded")
    func endOnlyAfterSuccessfulStart() async throws {
        let half = "if [ \"$1\" = 600 ]; then exit 1; fi\necho detected:person:88%"
        try await withHook(half, arguments: ["{eid}"], configure: { $0.startNotifyOnFail = [.websocket, .push] }) { server, client, _ in
            // The failed start still goes out (start_notify_on_fail), its end does not.
            #expect(try await server.alarm(monitor: 1, event: 600)["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            let end = try await server.alarm(monitor: 1, event: 600, kind: "end")
            #expect((end["muted"] as? String)?.contains("start's hook failed") == true, "\(end)")
            try await client.expectNoPendingMessage()

            #expect(try await server.alarm(monitor: 1, event: 601)["pushesQueued"] as? Int == 1)
            #expect(try await client.receive()["event"] as? String == "alarm")
            #expect(try await server.alarm(monitor: 1, event: 601, kind: "end")["muted"] == nil)
            let ended = try #require((try await client.receive()["events"] as? [[String: Any]])?.first)
            #expect((ended["Cause"] as? String)?.hasPrefix("End:") == true)
        }
    }

    @Test("hooks: in zmes.yml: the names, the defaults, and each mistake named")
    func configuration() throws {
        let loader = ConfigurationLoader(environment: [:])
        let defaults = try loader.load(yaml: "").hooks
        #expect(defaults.timeout == 30 && defaults.wait == 10 && defaults.maxParallel == 2)
        #expect(defaults.startNotifyOnSuccess == [.websocket, .push, .mqtt] && defaults.startNotifyOnFail.isEmpty)
        #expect(defaults.endNotifyOnSuccess == [.websocket, .push, .mqtt] && defaults.endNotifyOnFail.isEmpty)
        #expect(defaults.endNotifyIfStartSuccess && defaults.useDescription && !defaults.updateNotes && defaults.skipMonitors.isEmpty)
        let yaml = """
            hooks:
              event_start: ["/usr/bin/zm_detect.py", "--eventid", "{eid}"]
              event_end: ["/usr/bin/end.sh"]
              timeout: 60
              wait: 5
              max_parallel: 4
              skip_monitors: [3, 5]
              start_notify_on_success: [push]
              start_notify_on_fail: [websocket, mqtt]
              end_notify_on_success: []
              end_notify_on_fail: [push]
              end_notify_if_start_success: false
              use_description: false
              update_notes: true
            """
        let hooks = try loader.load(yaml: yaml).hooks
        #expect(hooks.eventStart == ["/usr/bin/zm_detect.py", "--eventid", "{eid}"] && hooks.eventEnd == ["/usr/bin/end.sh"])
        #expect(hooks.timeout == 60 && hooks.wait == 5 && hooks.maxParallel == 4 && hooks.skipMonitors == [3, 5])
        #expect(hooks.startNotifyOnSuccess == [.push] && hooks.startNotifyOnFail == [.websocket, .mqtt])
        #expect(hooks.endNotifyOnSuccess.isEmpty && hooks.endNotifyOnFail == [.push])
        #expect(!hooks.endNotifyIfStartSuccess && !hooks.useDescription && hooks.updateNotes)

        let mistakes: [(String, String)] = [
            ("hooks:\n  event_start: /usr/bin/zm_detect.py\n", "hooks.event_start"),
            ("hooks:\n  event_start: [zm_detect.py, \"{eid}\"]\n", "absolute path"),
            ("hooks:\n  timeout: 0\n", "hooks.timeout"),
            ("hooks:\n  max_parallel: 0\n", "hooks.max_parallel"),
            ("hooks:\n  skip_monitors: [x]\n", "hooks.skip_monitors[0]"),
            ("hooks:\n  start_notify_on_success: [fcm]\n", "hooks.start_notify_on_success[0]"),
            ("hooks:\n  end_notify_on_fail: all\n", "hooks.end_notify_on_fail"),
            ("hooks:\n  use_description: maybe\n", "hooks.use_description"),
            ("hooks:\n  colour: red\n", "hooks.colour"),
        ]
        for (yaml, expected) in mistakes {
            do {
                _ = try loader.load(yaml: yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect("\(error)".contains(expected), "\(yaml): \(error)")
            }
        }
    }
}
