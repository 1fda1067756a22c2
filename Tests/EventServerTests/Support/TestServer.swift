import CurlClient
import EventServer
import Foundation
import Logging
import Model
import Storage
import ZmesTestSupport

/// A `ZmesServer` on loopback ports chosen by the system, over a store in a fresh directory.
struct TestServer: Sendable {
    let directory: String
    let configuration: Configuration
    let ports: BoundPorts
    private let task: Task<Void, any Error>
    private let shutdown: ShutdownTrigger

    var tlsEnabled: Bool { configuration.server.tls.enabled }
    var certificatePath: String { directory + "/zmes-cert.pem" }

    static func makeDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts a server; `users` are created first (name → (password, monitors)).
    static func start(
        directory: String = makeDirectory(),
        users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all)],
        configure: (inout Configuration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = Configuration()
        configuration.server.address = "127.0.0.1"
        configuration.server.port = 0
        configuration.admin.port = 0
        configuration.store.path = directory + "/zmes.sqlite"
        configure(&configuration)
        var logger = Logger(label: "zmes-test")
        logger.logLevel = ProcessInfo.processInfo.environment["ZMES_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        try await withStore(configuration.store.location, instanceId: "test-setup", logger: logger) { store in
            for (name, user) in users where try await store.user(named: name) == nil {
                try await store.saveUser(User(name: name, passwordHash: await PasswordHasher.hash(user.password, cost: 4), monitors: user.monitors))
            }
        }
        var server = ZmesServer(configuration: configuration, logger: logger)
        server.announce = { _ in }
        let (ready, readyContinuation) = AsyncStream<BoundPorts>.makeStream()
        let shutdown = ShutdownTrigger()
        let task = Task {
            defer { readyContinuation.finish() }
            try await server.run(handleSignals: false, stop: shutdown) { ports in readyContinuation.yield(ports) }
        }
        let bound = try await withTimeout(.seconds(30), "server start") {
            var iterator = ready.makeAsyncIterator()
            return await iterator.next()
        }
        guard let ports = bound else {
            try await task.value
            throw TestFailure("server stopped before listening")
        }
        return TestServer(directory: directory, configuration: configuration, ports: ports, task: task, shutdown: shutdown)
    }

    /// Shuts the server down as SIGTERM would and waits until it has; fails if it does not
    /// stop within 30 s, so a shutdown that hangs fails the test instead of outliving it.
    func stop() async throws {
        await shutdown.trigger()
        let task = self.task
        _ = try await withTimeout(.seconds(30), "server shutdown") { _ = try? await task.value }
    }

    /// Runs `body` with this server, then stops it and waits until it has, whether or not `body` threw.
    func run<T>(_ body: (TestServer) async throws -> T) async throws -> T {
        try await withCleanup { try await body(self) } cleanup: { try await stop() }
    }

    /// Starts a server (as `start` does), runs `body` with it, and waits until it has stopped.
    static func withServer<T>(
        directory: String = makeDirectory(),
        users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all)],
        configure: (inout Configuration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        try await start(directory: directory, users: users, configure: configure).run(body)
    }

    /// Starts a server, connects a client logged in as `user` (alice by default) and runs `body`
    /// with both; then closes the client and waits until the server has stopped.
    static func withLoggedInClient(
        _ user: String = "alice", _ password: String = "secret", token: String = "",
        directory: String = makeDirectory(),
        users: [String: (password: String, monitors: MonitorSet)] = ["alice": ("secret", .all)],
        configure: (inout Configuration) -> Void = { _ in },
        _ body: (TestServer, TestClient) async throws -> Void
    ) async throws {
        try await withServer(directory: directory, users: users, configure: configure) { server in
            let client = try await server.loggedInClient(user, password, token: token)
            try await body(server, client)
            await client.close()
        }
    }

    /// A new connection, logged in as `user`.
    func loggedInClient(_ user: String = "alice", _ password: String = "secret", token: String = "") async throws -> TestClient {
        let client = try await TestClient.connect(to: self)
        try await client.login(user, password, token: token)
        return client
    }

    /// Opens the same store file the server uses, as the CLI does.
    func store() throws -> any Store {
        try SQLiteStore(path: configuration.store.path)
    }

    @discardableResult
    func alarm(monitor: Int, event: Int, name: String = "Garage", cause: String = "Motion", kind: String = "start") async throws -> [String: Any] {
        let (status, body) = try await post(
            "/api/v1/alarms", json: ["monitorId": monitor, "eventId": event, "name": name, "cause": cause, "kind": kind])
        guard status == 202 else { throw TestFailure("alarm refused with \(status): \(body)") }
        return body
    }

    /// One client for every test's admin calls: the project's own libcurl client, over plain HTTP/1.1 here.
    static let http = CurlClient()

    func post(_ path: String, json: [String: Any]) async throws -> (Int, [String: Any]) {
        let request = CurlRequest(
            url: "http://127.0.0.1:\(ports.admin)\(path)", headers: [("content-type", "application/json")],
            body: [UInt8](try JSONSerialization.data(withJSONObject: json)))
        let response = try await withTimeout(.seconds(15), "POST \(path)") { try await Self.http.send(request) }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        return (response.status, object)
    }

    func delete(_ path: String) async throws -> (Int, [String: Any]) {
        let request = CurlRequest(url: "http://127.0.0.1:\(ports.admin)\(path)", method: "DELETE")
        let response = try await withTimeout(.seconds(15), "DELETE \(path)") { try await Self.http.send(request) }
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:])
    }

    func get(_ path: String) async throws -> (Int, Data) {
        let request = CurlRequest(url: "http://127.0.0.1:\(ports.admin)\(path)", method: "GET")
        let response = try await withTimeout(.seconds(15), "GET \(path)") { try await Self.http.send(request) }
        return (response.status, Data(response.body))
    }
}

extension TestClient {
    static func connect(to server: TestServer, path: String = "/", headers: [(name: String, value: String)] = []) async throws -> TestClient {
        try await connect(
            port: server.ports.webSocket, certificatePath: server.tlsEnabled ? server.certificatePath : nil, path: path, headers: headers)
    }
}
