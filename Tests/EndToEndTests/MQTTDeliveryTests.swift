import Foundation
import Testing
import ZmesTestSupport

/// docs/MQTT.md's messages, as a subscriber of a real Mosquitto sees them.
@Suite("MQTT delivery to a real Mosquitto", .serialized)
struct MQTTDeliveryTests {
    static let device = #"{"identifiers":["zmes-home"],"manufacturer":"zmes","model":"ZoneMinder event server","name":"zmes"}"#
    static let availability = #""availability_topic":"zoneminder/zmes/availability","#

    static func motionConfig(_ monitor: Int, _ name: String) -> String {
        #"{\#(availability)"device":\#(device),"device_class":"motion","name":"\#(name) motion","payload_available":"online","payload_not_available":"offline","payload_off":"OFF","payload_on":"ON","state_topic":"zoneminder/\#(monitor)/motion","unique_id":"zmes-home_monitor_\#(monitor)_motion"}"#
    }

    static func eventConfig(_ monitor: Int, _ name: String) -> String {
        #"{\#(availability)"device":\#(device),"event_types":["alarm"],"name":"\#(name) alarm","payload_available":"online","payload_not_available":"offline","state_topic":"zoneminder/\#(monitor)/event","unique_id":"zmes-home_monitor_\#(monitor)_alarm"}"#
    }

    @Test("compatible payload, Home Assistant discovery, motion state, alarm event and availability, as documented; push list shows provider mqtt")
    func documentedMessages() async throws {
        try await MQTTFixture.with(sections: "zoneminder:\n  monitors: [{id: 2, name: Porch}]\n") { fixture in
            let subscriber = fixture.subscriber
            try await Zmes.serving(in: fixture.directory) { server, ports in
                // At connect: online, and discovery for the monitors zmes knows from its configuration.
                #expect(await eventually { subscriber.messages.contains { $0 == ("zoneminder/zmes/availability", "online") } })
                #expect(await eventually { subscriber.messages.contains { $0 == ("homeassistant/binary_sensor/zmes-home/monitor_2_motion/config", Self.motionConfig(2, "Porch")) } })
                #expect(await eventually { subscriber.messages.contains { $0 == ("homeassistant/event/zmes-home/monitor_2_alarm/config", Self.eventConfig(2, "Porch")) } })

                let start = #"{"monitorId":3,"name":"Garage","eventId":812,"cause":"Motion All"}"#
                let end = #"{"monitorId":3,"name":"Garage","eventId":812,"cause":"Motion All","kind":"end"}"#
                for body in [start, end] {
                    let response = try RawSocket.http(port: ports.admin, AdminAccessTests.request(
                        "POST", "/api/v1/alarms", host: "127.0.0.1", headers: ["Content-Type: application/json"], body: body))
                    #expect(response.status == 202, "\(response.body)")
                }
                let expected: [(String, String)] = [
                    ("homeassistant/binary_sensor/zmes-home/monitor_3_motion/config", Self.motionConfig(3, "Garage")),
                    ("homeassistant/event/zmes-home/monitor_3_alarm/config", Self.eventConfig(3, "Garage")),
                    ("zoneminder/3", #"{"detection":[],"eventid":812,"eventtype":"event_start","hookvalue":0,"monitor":3,"name":"Garage:(812) Motion All","state":"alarm"}"#),
                    ("zoneminder/3/motion", "ON"),
                    ("zoneminder/3/event", #"{"cause":"Motion All","detection":"","detection_json":[],"event_id":812,"event_type":"alarm","monitor":3}"#),
                    ("zoneminder/3", #"{"detection":[],"eventid":812,"eventtype":"event_end","hookvalue":0,"monitor":3,"name":"Ended:Garage:(812) Motion All","state":"alarm"}"#),
                    ("zoneminder/3/motion", "OFF"),
                ]
                #expect(await eventually { subscriber.messages.filter { $0.topic.contains("3") }.count >= expected.count })
                let got = subscriber.messages.filter { $0.topic.contains("monitor_3") || $0.topic.hasPrefix("zoneminder/3") }
                print("subscriber got for monitor 3:\n" + got.map { "\($0.topic) \($0.payload)" }.joined(separator: "\n"))
                #expect(got.map(\.topic) == expected.map(\.0))
                #expect(got.map(\.payload) == expected.map(\.1))

                let jobs = try Zmes.json(["push", "list", "--json"], in: fixture.directory)
                #expect(await eventually {
                    (try? Zmes.json(["push", "list", "--json"], in: fixture.directory))?.filter {
                        $0["provider"] as? String == "mqtt" && $0["token"] as? String == "home" && $0["state"] as? String == "delivered"
                    }.count == 2
                }, "\(jobs)")
                let health = try RawSocket.http(port: ports.admin, AdminAccessTests.request("GET", "/healthz", host: "127.0.0.1"))
                #expect(health.body.contains(#""mqtt":{"home":"ok"}"#), "\(health.body)")

                // Home Assistant restarted: discovery again.
                let before = subscriber.messages.filter { $0.topic.hasSuffix("monitor_3_motion/config") }.count
                let announce = Process()
                announce.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
                announce.arguments = ["-h", "127.0.0.1", "-p", String(fixture.broker.port), "-t", "homeassistant/status", "-m", "online", "-q", "1"]
                try launch(announce)
                waitForExit(announce)
                #expect(await eventually { subscriber.messages.filter { $0.topic.hasSuffix("monitor_3_motion/config") }.count > before })

                // A clean stop says offline (the last will says it after a crash).
                #expect(try await server.terminate() == 0)
                #expect(await eventually { subscriber.messages.last.map { $0 == ("zoneminder/zmes/availability", "offline") } == true })
            }
        }
    }

    @Test("a detection hook choosing only mqtt: the broker gets the alarm with the hook's text and JSON; no push is queued")
    func hookToMQTT() async throws {
        let directory = Zmes.makeDirectory()
        let hook = directory + "/detect.sh"
        try "#!/bin/sh\necho '[a] detected:person:91% --SPLIT--{\"labels\":[\"person\"],\"confidences\":[0.91]}'\n"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let hooks = "hooks:\n  event_start: [\"\(hook)\", \"{eid}\"]\n  start_notify_on_success: [mqtt]\n"
        try await MQTTFixture.with(mqtt: ["discovery: false"], sections: hooks) { fixture in
            try await Zmes.serving(in: fixture.directory) { server, ports in
                let body = #"{"monitorId":3,"name":"Garage","eventId":900,"cause":"Motion All"}"#
                let response = try RawSocket.http(port: ports.admin, AdminAccessTests.request(
                    "POST", "/api/v1/alarms", host: "127.0.0.1", headers: ["Content-Type: application/json"], body: body))
                #expect(response.status == 202, "\(response.body)")
                #expect(await eventually { fixture.subscriber.messages.contains { $0.topic == "zoneminder/3" } })
                let message = try #require(fixture.subscriber.messages.first { $0.topic == "zoneminder/3" })
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as? [String: Any])
                #expect(payload["name"] as? String == "Garage:(900) detected:person:91% Motion All")
                #expect((payload["detection"] as? [String: Any])?["labels"] as? [String] == ["person"], "\(message.payload)")
                let jobs = try Zmes.json(["push", "list", "--json"], in: fixture.directory)
                #expect(jobs.allSatisfy { $0["provider"] as? String == "mqtt" }, "\(jobs)")
                #expect(try await server.terminate() == 0)
            }
        }
    }

    @Test("kill -9: the broker publishes the last will, offline")
    func lastWill() async throws {
        try await MQTTFixture.with { fixture in
            try await Zmes.serving(in: fixture.directory) { server, _ in
                #expect(await eventually { fixture.subscriber.messages.contains { $0 == ("zoneminder/zmes/availability", "online") } })
                server.crash()
                // The broker notices after 1.5 keepalives at most; the socket closing is sooner.
                #expect(await eventually(timeout: .seconds(100)) {
                    fixture.subscriber.messages.last.map { $0 == ("zoneminder/zmes/availability", "offline") } == true
                })
            }
        }
    }

    @Test("a broker down: the job retries with the broker's reason in push list and /healthz says degraded")
    func brokerDown() async throws {
        try await MQTTFixture.with(mqtt: ["discovery: false"]) { fixture in
            try await Zmes.serving(in: fixture.directory) { _, ports in
                #expect(await eventually { fixture.subscriber.messages.contains { $0 == ("zoneminder/zmes/availability", "online") } })
                fixture.broker.stop()
                #expect(await MQTTFixture.postAlarms(port: ports.admin, events: [1]) == [1])
                #expect(await eventually {
                    let jobs = (try? Zmes.json(["push", "list", "--json"], in: fixture.directory)) ?? []
                    return jobs.contains { ($0["lastError"] as? String)?.contains("MQTT broker 'home'") == true && $0["state"] as? String == "retrying" }
                })
                let health = try RawSocket.http(port: ports.admin, AdminAccessTests.request("GET", "/healthz", host: "127.0.0.1"))
                #expect(health.body.contains(#""status":"degraded""#) && health.body.contains("127.0.0.1:\(fixture.broker.port)"), "\(health.body)")
                try fixture.broker.start()
                #expect(await eventually(timeout: .seconds(60)) { fixture.eventIDs() == [1] })
            }
        }
    }
}

/// A broker with a password: a wrong one fails the job with the broker's reason and shows in `/healthz`;
/// the right one (a restart, then a replay) delivers and `/healthz` is ok again.
@Suite("MQTT login to a real Mosquitto", .serialized)
struct MQTTLoginTests {
    @Test("wrong password: failed job with the broker's reason, /healthz degraded; right password and replay: delivered, ok")
    func wrongThenRightPassword() async throws {
        let directory = Zmes.makeDirectory()
        let broker = try MosquittoBroker.withLogin(directory: directory, port: try freeLoopbackPort(), user: "zmes", password: "secret")
        defer { broker.stop() }
        func configure(password: String) throws {
            try Zmes.writeConfig(directory, sections: """
                mqtt:
                  - {name: home, url: "mqtt://127.0.0.1:\(broker.port)", username: zmes, password: \(password), discovery: false}

                """)
        }
        try configure(password: "wrong")
        try await Zmes.serving(in: directory) { server, ports in
            let health = { try RawSocket.http(port: ports.admin, AdminAccessTests.request("GET", "/healthz", host: "127.0.0.1")).body }
            #expect(await eventually { (try? health())?.contains("refused the connection") == true })
            let body = try health()
            #expect(body.contains(#""status":"degraded""#) && !body.contains("wrong"), "\(body)")
            #expect(await MQTTFixture.postAlarms(port: ports.admin, events: [7]) == [7])
            #expect(await eventually {
                let jobs = (try? Zmes.json(["push", "list", "--json"], in: directory)) ?? []
                return jobs.contains { $0["state"] as? String == "failed" && ($0["lastError"] as? String)?.contains("refused the connection") == true }
            })
            print("wrong password: \(try Zmes.json(["push", "list", "--json"], in: directory).first?["lastError"] ?? "")")
            #expect(try await server.terminate() == 0)
        }
        try configure(password: "secret")
        try await Zmes.serving(in: directory) { _, ports in
            let health = { try RawSocket.http(port: ports.admin, AdminAccessTests.request("GET", "/healthz", host: "127.0.0.1")).body }
            #expect(await eventually { (try? health())?.contains(#""mqtt":{"home":"ok"}"#) == true })
            let replay = try Zmes.run(["push", "replay", "--all-failed"], in: directory)
            #expect(replay.status == 0, "\(replay.errors)")
            #expect(await eventually {
                let jobs = (try? Zmes.json(["push", "list", "--json"], in: directory)) ?? []
                return jobs.count == 1 && jobs.first?["state"] as? String == "delivered"
            })
            let healthy = try health()
            #expect(healthy.contains(#""status":"ok""#), "\(healthy)")
        }
    }
}
