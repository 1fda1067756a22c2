import CurlClient
import EventServer
import Foundation
import Model
import PushDispatcher
import Storage
import Testing
import ZmesTestSupport

@Suite("Event pictures")
struct PictureTests {
    static let publicURL = "https://zm.example.com:9000"

    /// The picture link as a phone reaches it: the public URL swapped for the test server's port.
    static func fetch(_ link: String, from server: TestServer) async throws -> CurlResponse {
        let local = link.replacingOccurrences(of: publicURL, with: "https://127.0.0.1:\(server.ports.webSocket)")
        return try await withTimeout(.seconds(15), "GET picture") {
            try await TestServer.http.send(CurlRequest(url: local, method: "GET", caFile: server.certificatePath))
        }
    }

    static func withPictures(
        _ body: @escaping (TestServer, TestClient, FakeZoneMinder) async throws -> Void
    ) async throws {
        try await FakeZoneMinder.with(accounts: ["zmes": .init(password: "zm-secret", monitors: [1, 2])]) { zoneMinder in
            try await TestServer.withLoggedInClient(configure: {
                $0.pictures.enabled = true
                $0.pictures.publicURL = publicURL
                $0.zoneminder.url = zoneMinder.url
                $0.zoneminder.user = "zmes"
                $0.zoneminder.password = "zm-secret"
            }) { server, client in
                try await body(server, client, zoneMinder)
            }
        }
    }

    @Test("the websocket alarm links the event's picture; the link returns ZoneMinder's JPEG, cached, with no password in it")
    func pictureLink() async throws {
        try await Self.withPictures { server, client, zoneMinder in
            try await server.alarm(monitor: 1, event: 4321)
            let message = try await client.receive()
            let event = try #require((message["events"] as? [[String: Any]])?.first)
            let link = try #require(event["Picture"] as? String)
            #expect(link.hasPrefix("\(Self.publicURL)/pictures/4321/snapshot?exp="))
            #expect(!link.contains("zm-secret") && !link.contains("token"))

            let first = try await Self.fetch(link, from: server)
            #expect(first.status == 200)
            #expect(first.body == FakeZoneMinder.jpeg(event: "4321", frame: "snapshot", width: "600"))
            let second = try await Self.fetch(link, from: server)
            #expect(second.body == first.body)
            #expect(await zoneMinder.counters.imageReads == 1, "the second fetch comes from the cache")
        }
    }

    @Test("ten phones opening the same new picture at once cost ZoneMinder one request")
    func concurrentFetchesCoalesce() async throws {
        try await Self.withPictures { server, client, zoneMinder in
            try await server.alarm(monitor: 2, event: 900)
            let message = try await client.receive()
            let link = try #require((message["events"] as? [[String: Any]])?.first?["Picture"] as? String)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await Self.fetch(link, from: server).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 10))
            #expect(await zoneMinder.counters.imageReads == 1)
        }
    }

    @Test("a link with one character changed, another event's, or past its expiry gets 403 and costs no ZoneMinder call")
    func tamperedLinks() async throws {
        try await Self.withPictures { server, client, zoneMinder in
            try await server.alarm(monitor: 1, event: 77)
            let message = try await client.receive()
            let link = try #require((message["events"] as? [[String: Any]])?.first?["Picture"] as? String)
            let signature = try #require(link.range(of: "sig=")).upperBound
            let flipped = link[signature] == "0" ? "1" : "0"
            var tampered = link
            tampered.replaceSubrange(signature...signature, with: flipped)
            let otherEvent = link.replacingOccurrences(of: "/pictures/77/", with: "/pictures/78/")
            let otherFrame = link.replacingOccurrences(of: "/snapshot?", with: "/alarm?")
            let store = try server.store()
            let key = try await store.secret(named: PictureLinks.secretName) { [] }
            let expired = PictureLinks(publicURL: Self.publicURL, lifetime: 60, defaultFrame: "snapshot", key: key)
                .url(for: Alarm(monitorId: 1, monitorName: "Garage", eventId: 77, cause: "Motion"), now: Date().addingTimeInterval(-3_600))
            for bad in [tampered, otherEvent, otherFrame, expired, String(link.prefix(upTo: link.firstIndex(of: "?")!))] {
                let response = try await Self.fetch(bad, from: server)
                #expect(response.status == 403, "\(bad)")
            }
            #expect(await zoneMinder.counters.imageReads == 0)
            let good = try await Self.fetch(link, from: server)
            #expect(good.status == 200)
        }
    }

    @Test("the websocket port's other paths still ask for a websocket; a path under /pictures that is no picture is 404")
    func otherPathsUnchanged() async throws {
        try await Self.withPictures { server, _, zoneMinder in
            for (path, expected) in [("/", 426), ("/anything", 426), ("/pictures", 404), ("/pictures/1/2/3", 404)] {
                let response = try await withTimeout(.seconds(15), "GET \(path)") {
                    try await TestServer.http.send(
                        CurlRequest(url: "https://127.0.0.1:\(server.ports.webSocket)\(path)", method: "GET", caFile: server.certificatePath))
                }
                #expect(response.status == expected, "\(path)")
            }
            #expect(await zoneMinder.counters.imageReads == 0)
        }
    }
}
