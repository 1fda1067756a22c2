import CurlClient
import Foundation
import Testing
import ZmesTestSupport

@Suite("Metrics", .serialized)
struct MetricsTests {
    /// `name{labels}` → value, from Prometheus text; fails on any line that is not valid exposition format.
    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (-?[0-9.eE+-]+|[+-]Inf|NaN)$/
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") { continue }
            guard let match = try? sample.wholeMatch(in: String(line)) else {
                Issue.record("not Prometheus text: \(line)")
                continue
            }
            samples[String(match.1)] = Double(String(match.3)) ?? .nan
        }
        return samples
    }

    @Test("/metrics parses as Prometheus text and its counters match what the mocks and clients saw")
    func countersMatch() async throws {
        try await PushFixture.serving(apns: true) { fixture, server, ports in
            let token = String(repeating: "5e4d3c2b", count: 8)
            let phone = try await fixture.connectPhone(ports, token: token, platform: "ios")
            let intruder = try await fixture.connect(ports)
            try await intruder.send(json: ["event": "auth", "data": ["user": "alice", "password": "nope"]])
            _ = try await intruder.receive()

            let apns = try #require(fixture.apns)
            for event in 1...3 { _ = try fixture.alarm(event: event) }
            #expect(await eventually { await apns.accepted().count == 3 })
            await apns.injectAPNsError(status: 400, reason: "BadDeviceToken")
            _ = try fixture.alarm(event: 4)
            #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 1 })
            for _ in 1...4 { _ = try await phone.receive() }  // the websocket copies

            let client = CurlClient()
            defer { client.shutdown() }
            let response = try await client.send(CurlRequest(url: "http://127.0.0.1:\(ports.admin)/metrics", method: "GET"))
            #expect(response.status == 200)
            let samples = Self.parse(response.bodyText)
            let delivered = Double(await apns.accepted().count)
            #expect(samples[#"zmes_pushes_total{provider="apns",outcome="delivered"}"#] == delivered)
            #expect(samples[#"zmes_pushes_total{provider="apns",outcome="failed"}"#] == 1)
            #expect(samples[#"zmes_alarms_total{source="admin",kind="start"}"#] == 4)
            #expect(samples[#"zmes_deliveries_total{channel="push"}"#] == 4)
            #expect(samples[#"zmes_deliveries_total{channel="websocket"}"#] == 4)
            #expect(samples[#"zmes_auth_failures_total{reason="bad_credentials"}"#] == 1)
            #expect(samples[#"zmes_token_renewals_total{kind="apns_jwt"}"#] == 1)
            #expect(samples[#"zmes_outbox_jobs{state="delivered"}"#] == delivered)
            #expect(samples[#"zmes_outbox_jobs{state="failed"}"#] == 1)
            #expect(samples["zmes_sessions_authenticated"] == 1)
            #expect(samples.keys.contains { $0.hasPrefix("zmes_provider_latency_seconds_count") })

            let health = try await client.send(CurlRequest(url: "http://127.0.0.1:\(ports.admin)/healthz", method: "GET"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(health.body)) as? [String: Any])
            #expect(object["status"] as? String == "ok")
            #expect(object["store"] as? String == "ok")
            #expect((object["listeners"] as? [String: String]) == ["websocket": "ok", "admin": "ok"])
            #expect((object["credentials"] as? [String: String]) == ["test-apns": "ok"])
            await phone.close()
            #expect(try await server.terminate() == 0)
        }
    }
}
