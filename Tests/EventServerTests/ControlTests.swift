import Foundation
import Testing
import ZmesTestSupport

@Suite("Control messages")
struct ControlTests {
    @Test("version answers with the wire version and status")
    func version() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(json: ["event": "control", "data": ["type": "version"]])
            let reply = try await client.receive()
            expectReply(reply, event: "control", type: "version", status: "Success", reason: "")
            #expect(isAtLeast(try #require(reply["version"] as? String), "6.0"))
        }
    }

    @Test("a filter without monlist or intlist names what is missing")
    func filterErrors() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(json: ["event": "control", "data": ["type": "filter", "intlist": "0"]])
            var reply = try await client.receive()
            expectReply(reply, event: "control", type: "filter", status: "Fail", reason: "NOMONITORLIST")
            try await client.send(json: ["event": "control", "data": ["type": "filter", "monlist": "1"]])
            reply = try await client.receive()
            #expect(reply["type"] as? String == "filter")
            #expect(reply["reason"] as? String == "NOINTERVALLIST")
            try await client.send(json: ["event": "control", "data": ["type": "filter", "monlist": "1,x", "intlist": "0,0"]])
            reply = try await client.receive()
            #expect(reply["status"] as? String == "Fail")
            #expect(reply["reason"] as? String == "BADMONITORLIST")
            try await client.send(json: ["event": "control", "data": ["type": "filter", "monlist": "1,2", "intlist": "0,soon"]])
            #expect(try await client.receive()["reason"] as? String == "BADINTERVALLIST")
        }
    }

    @Test("a good filter gets no reply and limits the alarms")
    func filterApplies() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(json: ["event": "control", "data": ["type": "filter", "monlist": "1,2", "intlist": "0,0"]])
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 3, event: 1)
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 2, event: 2, name: "Porch", cause: "Motion: Steps")
            let alarm = try await client.receive()
            expectReply(alarm, event: "alarm", type: "", status: "Success")
            #expect(alarm["supplementary"] == nil)
            let events = try #require(alarm["events"] as? [[String: Any]])
            #expect(events.count == 1)
            #expect(events[0]["EventId"] as? String == "2")
            #expect(events[0]["MonitorId"] as? String == "2")
            #expect(events[0]["Name"] as? String == "Porch")
            #expect(events[0]["Cause"] as? String == "Motion: Steps")
        }
    }

    @Test("monlist and intlist in auth set the connection's filter; numbers are accepted as strings")
    func filterInAuth() async throws {
        try await TestServer.withServer { server in
            let client = try await TestClient.connect(to: server)
            try await client.login("alice", "secret", extra: ["monlist": 4, "intlist": 0])
            try await server.alarm(monitor: 1, event: 1)
            try await client.expectNoPendingMessage()
            try await server.alarm(monitor: 4, event: 2)
            #expect(try await client.receive()["event"] as? String == "alarm")
            await client.close()
        }
    }

    @Test("unknown events and sub-types get NOTSUPPORTED")
    func notSupported() async throws {
        try await TestServer.withLoggedInClient { server, client in
            try await client.send(json: ["event": "control", "data": ["type": "reboot"]])
            var reply = try await client.receive()
            expectReply(reply, event: "control", type: "", status: "Fail", reason: "NOTSUPPORTED")
            try await client.send(json: ["event": "escalate", "data": [:] as [String: Any]])
            reply = try await client.receive()
            #expect(reply["event"] as? String == "escalate")
            #expect(reply["reason"] as? String == "NOTSUPPORTED")
        }
    }
}
