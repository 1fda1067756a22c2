import Foundation
import Logging
import Model
import Storage
import ZmesBenchSupport
import ZmesTestSupport

/// The store a run of `zmes serve` uses: a SQLite file of its own, or a fresh database on a
/// PostgreSQL server that every instance shares.
enum BenchStore {
    case sqlite(path: String)
    case postgres(PostgresServer, database: String)

    func location() throws -> StoreLocation {
        switch self {
        case .sqlite(let path): return .sqlite(path: path)
        case .postgres(let server, let database): return .postgres(try PostgresLocation(url: server.url(database: database)))
        }
    }

    /// The `store:` section of zmes.yml.
    var yaml: String {
        switch self {
        case .sqlite(let path): return "store:\n  path: \"\(path)\"\n"
        case .postgres(let server, let database): return "store:\n  backend: postgres\n  url: \"\(server.url(database: database))\"\n"
        }
    }
}

/// `instances` × `zmes serve` (the release binary, each a subprocess with its own ports and
/// `server.instance_id`) on one store holding `devices` iOS devices, with APNs credentials
/// pointing at nginx. Devices are written straight into the store before any instance starts,
/// as `InstancesBurstTests` does: registering 20,000 over websockets would time the wrong thing.
final class ServeCluster {
    static let teamID = "BENCHTEAM1"
    static let keyID = "BENCHKEY01"
    static let topic = "com.example.zmes.bench"
    /// `PUSH_THROUGHPUT_ALARMS`: the devices split over this many monitors, one alarm each, posted back
    /// to back (default 1: one alarm to every device). A diagnostic: does the alarm's size matter?
    static let alarms = max(1, ProcessInfo.processInfo.environment["PUSH_THROUGHPUT_ALARMS"].flatMap(Int.init) ?? 1)

    let directory: String
    let store: BenchStore
    private(set) var servers: [ServerProcess] = []
    private(set) var adminPorts: [Int] = []
    /// Seconds spent registering the devices (not measured).
    private(set) var registration: Double = 0

    /// - Parameters:
    ///   - keyPEM: the APNs signing key (nginx does not check the JWT, but zmes signs one).
    ///   - caFile: the CA that signed nginx's certificate.
    ///   - registration: seconds it took to write the devices into `store` when they are there already
    ///     (a PostgreSQL database copied from a template); `nil` writes them now.
    init(
        zmes: String, store: BenchStore, instances: Int, devices: Int, registration: Double? = nil, endpoint: String, keyPEM: String, caFile: String,
        directory: String
    ) async throws {
        self.directory = directory
        self.store = store
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let registration {
            self.registration = registration
        } else {
            self.registration = try await Self.populate(store, devices: devices)
        }

        let configs = try (1...instances).map { index in try writeConfiguration(instance: index, instances: instances) }
        try keyPEM.write(toFile: directory + "/AuthKey.p8", atomically: true, encoding: .utf8)
        try """
            apns:
              - name: bench-nginx
                key_file: "\(directory)/AuthKey.p8"
                key_id: \(Self.keyID)
                team_id: \(Self.teamID)
                topic: \(Self.topic)
                environment: production
                endpoint: \(endpoint)
                ca_file: "\(caFile)"
            """.write(toFile: directory + "/credentials.yml", atomically: true, encoding: .utf8)
        try runToCompletion(zmes, ["credentials", "add", "--config", configs[0], "--file", directory + "/credentials.yml"])

        for (index, config) in configs.enumerated() {
            let server = try ServerProcess(
                executable: zmes, arguments: ["serve", "--config", config], directory: directory, logPath: directory + "/zmes-\(index + 1).log")
            servers.append(server)
            let port = try await Self.adminPort(of: server)
            try waitForHealthy(adminPort: port, server: server)
            adminPorts.append(port)
        }
    }

    /// One user who sees every monitor, and `devices` enabled iOS devices of hers, in one transaction.
    static func populate(_ store: BenchStore, devices: Int) async throws -> Double {
        var logger = Logger(label: "zmes.bench")
        logger.logLevel = .warning
        let start = now()
        try await withStore(try store.location(), instanceId: "bench-setup", logger: logger) { store in
            try await store.saveUser(User(name: "bench", passwordHash: "not-used", monitors: .all))
            try await store.register(
                contentsOf: (1...devices).map {
                    // With one alarm, no filter: every device gets every monitor's alarms.
                    let filter = alarms == 1 ? nil : try MonitorFilter(monlist: "\(1 + $0 % alarms)", intlist: "0")
                    return DeviceRegistration(
                        token: String(format: "%064x", $0), user: "bench", platform: .ios, state: .enabled, filter: filter, appVersion: "1.8.001")
                })
        }
        return now() - start
    }

    /// Loopback, plain websocket, ports picked by the kernel, the log at info as packaged.
    private func writeConfiguration(instance: Int, instances: Int) throws -> String {
        let path = directory + "/zmes-\(instance).yml"
        try """
            server:
              address: 127.0.0.1
              port: 0
              instance_id: bench-\(instance)-of-\(instances)
              tls:
                enabled: false
            admin:
              port: 0
            auth:
              backend: local
            \(store.yaml)push:
              enabled: true
            zoneminder:
              monitors: [\((1...Self.alarms).map { "{id: \($0), name: Camera \($0)}" }.joined(separator: ", "))]

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Reads the admin port from the server's "listening" line.
    private static func adminPort(of server: ServerProcess) async throws -> Int {
        let deadline = now() + 60
        while now() < deadline {
            let text = (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /admin=http:\/\/[^ ]*:(\d+)/), let port = Int(match.1) { return port }
            guard server.isRunning else { throw BenchmarkFailure("zmes serve exited: \(server.logTail)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("zmes serve did not start listening within 60 s: \(server.logTail)")
    }

    /// Posts one alarm of `monitor` to the first instance's admin API, as `zmes alarm` does
    /// (without starting a second process inside the measurement).
    func alarm(monitor: Int = 1, event: Int) throws {
        let response = try BlockingHTTP.post(
            port: adminPorts[0], path: "/api/v1/alarms",
            json: #"{"monitorId":\#(monitor),"eventId":\#(event),"cause":"Motion: person","kind":"start"}"#)
        guard response.status == 202 else { throw BenchmarkFailure("the alarm was refused (HTTP \(response.status)): \(response.body)") }
    }

    /// The outbox's counts, read through the store as the instances see it.
    func outboxCounts() async throws -> [PushJobState: Int] {
        var logger = Logger(label: "zmes.bench")
        logger.logLevel = .warning
        return try await withStore(try store.location(), instanceId: "bench-reader", logger: logger) { try await $0.outboxCounts() }
    }

    func stop() {
        for server in servers { server.stop() }
    }

    private func runToCompletion(_ zmes: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zmes)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkFailure("zmes \(arguments.joined(separator: " ")) failed: \(text)") }
    }
}
