import EventServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import ZmesTestSupport

/// A local HTTP server that answers like ZoneMinder's API: `POST /zm/api/host/login.json`
/// and `GET /zm/api/monitors.json?token=`, each user seeing only their monitors.
final class FakeZoneMinder: Sendable {
    struct Account: Sendable {
        var password: String
        var monitors: [Int]
    }

    actor Counters {
        var logins = 0
        var monitorReads = 0
        var imageReads = 0
        func countLogin() { logins += 1 }
        func countMonitorRead() { monitorReads += 1 }
        func countImageRead() { imageReads += 1 }
        var eventReadTokens: [String?] = []
        /// The bodies of the `PUT events/<id>.json` received (decoded) and their URLs.
        var notesUpdates: [(body: String, url: String)] = []
        func countEventRead(token: String?) { eventReadTokens.append(token) }
        func recordNotesUpdate(_ body: String, url: String) { notesUpdates.append((body, url)) }
    }

    /// The accounts as ZoneMinder holds them now; a test changes them as an admin would.
    actor Accounts {
        var byName: [String: Account]
        init(_ byName: [String: Account]) { self.byName = byName }
        func account(_ name: String) -> Account? { byName[name] }
        func set(_ name: String, _ account: Account?) { byName[name] = account }
        /// ZoneMinder's API failing (503 for every request), as when its database is down.
        /// Tests use it rather than `stop()`: a Hummingbird server that is stopped while zmes
        /// keeps connecting to it can trap in NIO (`NIOAsyncWriter` deinit without finish).
        var failing = false
        func setFailing(_ value: Bool) { failing = value }
    }

    let port: Int
    let counters = Counters()
    let accounts: Accounts
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/zm" }

    init(accounts: [String: Account], names: [Int: String] = [1: "Garage", 2: "Porch", 3: "Yard"]) async throws {
        let counters = self.counters
        let accounts = Accounts(accounts)
        self.accounts = accounts
        let router = Router()
        router.post("/zm/api/host/login.json") { request, _ -> Response in
            await counters.countLogin()
            if await accounts.failing { return Response(status: .serviceUnavailable) }
            let body = try await request.body.collect(upTo: 1 << 16)
            var fields: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            guard let user = fields["user"], let account = await accounts.account(user), account.password == fields["pass"] else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"success":false,"data":{"name":"Login denied"}}"#)))
            }
            let json = #"{"access_token":"token-\#(user)","access_token_expires":7200,"version":"1.36.33","apiversion":"2.0"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/zm/api/monitors.json") { request, _ -> Response in
            await counters.countMonitorRead()
            if await accounts.failing { return Response(status: .serviceUnavailable) }
            // Like ZoneMinder, a token names its user, who must still exist.
            guard let token = request.uri.queryParameters["token"].map(String.init), token.hasPrefix("token-"),
                let account = await accounts.account(String(token.dropFirst("token-".count)))
            else {
                return Response(status: .unauthorized)
            }
            let monitors = account.monitors.map { #"{"Monitor":{"Id":"\#($0)","Name":"\#(names[$0] ?? "M\($0)")"}}"# }
            let json = #"{"monitors":[\#(monitors.joined(separator: ","))]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/zm/index.php") { request, _ -> Response in
            await counters.countImageRead()
            let query = request.uri.queryParameters
            guard let token = query["token"].map(String.init), token.hasPrefix("token-"),
                await accounts.account(String(token.dropFirst("token-".count))) != nil
            else {
                return Response(status: .unauthorized)
            }
            guard query["view"] == "image", let event = query["eid"], let frame = query["fid"], let width = query["width"] else {
                return Response(status: .badRequest)
            }
            return Response(
                status: .ok, headers: [.contentType: "image/jpeg"],
                body: .init(byteBuffer: ByteBuffer(bytes: FakeZoneMinder.jpeg(event: String(event), frame: String(frame), width: String(width)))))
        }
        // Events, for detection hooks: `{path}` reads one, `update_notes` writes its Notes.
        router.get("/zm/api/events/{file}") { request, context -> Response in
            let id = context.parameters.get("file")?.split(separator: ".").first.map(String.init) ?? ""
            await counters.countEventRead(token: request.uri.queryParameters["token"].map(String.init))
            let json = #"{"event":{"Event":{"Id":"\#(id)","FileSystemPath":"/var/cache/zoneminder/events/\#(id)"}}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.put("/zm/api/events/{file}") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            await counters.recordNotesUpdate(String(buffer: body).removingPercentEncoding ?? "", url: request.uri.description)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-zoneminder", factory: { _ in SwiftLogNoOpLogHandler() }))
        task = Task { try await app.runService() }
        let bound = try await withTimeout(.seconds(10), "fake ZoneMinder start") {
            var iterator = ready.makeAsyncIterator()
            return await iterator.next()
        }
        guard let bound else { throw TestFailure("fake ZoneMinder did not start") }
        port = bound
    }

    /// What the fake serves as an event's picture: JPEG's magic bytes, then what was asked for.
    static func jpeg(event: String, frame: String, width: String) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0] + Array("event \(event) frame \(frame) width \(width)".utf8)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Starts one, runs `body` with it, and stops it (waiting until it has) whether or not `body` threw.
    static func with<T>(
        accounts: [String: Account], names: [Int: String] = [1: "Garage", 2: "Porch", 3: "Yard"],
        _ body: (FakeZoneMinder) async throws -> T
    ) async throws -> T {
        let zoneMinder = try await FakeZoneMinder(accounts: accounts, names: names)
        return try await withCleanup { try await body(zoneMinder) } cleanup: { await zoneMinder.stop() }
    }
}

extension Configuration {
    /// Alarms from the shared memory in `shm` (polled every 50 ms), monitor names and events from `zoneMinder`,
    /// logged in as its user `zmes` (password `api-pw`).
    mutating func readZoneMinder(_ zoneMinder: FakeZoneMinder, shm: String) {
        self.zoneminder.enabled = true
        self.zoneminder.url = zoneMinder.url
        self.zoneminder.user = "zmes"
        self.zoneminder.password = "api-pw"
        self.zoneminder.shmDir = shm
        self.zoneminder.pollInterval = 0.05
    }
}
