import Crypto
import Foundation
import MockProviders
import ZmesTestSupport
import Model
import Storage
import ZmesBenchSupport

/// A camera site on disk: a zmes configuration, a store with users and devices, APNs
/// credentials pointing at a push endpoint (``PushEndpoint``), and the running `zmes serve`.
final class Site {
    static let monitors = 100
    static let devicesPerMonitor = 10
    static let teamID = "BENCHTEAM1"
    static let keyID = "BENCHKEY01"
    static let topic = "com.example.zmes.bench"

    let directory: URL
    let endpoint: PushEndpoint
    private let zmes: Process
    /// The admin API, e.g. "http://127.0.0.1:40123".
    let adminURL: String
    /// For attaching a profiler (`perf record -g -p <pid>`) while the steps run.
    var zmesPID: Int32 { zmes.processIdentifier }

    var devices: Int { Self.monitors * Self.devicesPerMonitor }

    init(zmesPath: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-alarm-rate-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = try TestCertificateAuthority()
        try authority.writeCA(to: directory.appendingPathComponent("ca.pem").path)
        let key = P256.Signing.PrivateKey()
        let endpoint: PushEndpoint
        if Nginx.isInstalled, ProcessInfo.processInfo.environment["ALARM_RATE_ENDPOINT"] != "mock" {
            endpoint = .nginx(
                try await Nginx(
                    in: directory.appendingPathComponent("nginx").path, certificatePEM: authority.serverCertificatePEM,
                    privateKeyPEM: authority.serverPrivateKeyPEM, maxConcurrentStreams: 1_000))
        } else {
            endpoint = .mock(
                try await MockAPNs(authority: authority, teamID: Self.teamID, keyID: Self.keyID, publicKey: key.publicKey, topic: Self.topic))
        }
        try key.pemRepresentation.write(to: directory.appendingPathComponent("AuthKey.p8"), atomically: true, encoding: .utf8)
        let files = Files(directory: directory)
        try Self.writeConfiguration(files, apnsURL: endpoint.url)
        try await Self.populateStore(files)
        try Self.runToCompletion(zmesPath, ["credentials", "add", "--config", files.config, "--file", files.credentials], in: directory)
        let launched = try await Self.launch(zmesPath, configPath: files.config, in: directory)
        self.directory = directory
        self.endpoint = endpoint
        self.zmes = launched.process
        self.adminURL = launched.adminURL
    }

    /// Where the site's files are.
    struct Files {
        let directory: URL
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        var config: String { path("zmes.yml") }
        var credentials: String { path("credentials.yml") }
        var store: String { path("zmes-data/zmes.sqlite") }
    }

    /// Loopback only, plain websocket, local accounts, push on; the log at info, as packaged.
    private static func writeConfiguration(_ files: Files, apnsURL: String) throws {
        try """
            server:
              address: 127.0.0.1
              port: 0
              tls:
                enabled: false
            admin:
              port: 0
            auth:
              backend: local
            store:
              path: "\(files.store)"
            push:
              enabled: true
            """.write(toFile: files.config, atomically: true, encoding: .utf8)
        try """
            apns:
              - name: bench-apns
                key_file: "\(files.path("AuthKey.p8"))"
                key_id: \(Self.keyID)
                team_id: \(Self.teamID)
                topic: \(Self.topic)
                environment: sandbox
                endpoint: \(apnsURL)
                ca_file: "\(files.path("ca.pem"))"
            """.write(toFile: files.credentials, atomically: true, encoding: .utf8)
    }

    /// Ten users who see every monitor; ten iOS devices per monitor, each listing only
    /// that monitor with interval 0, registered as the store records a phone's `push` message.
    private static func populateStore(_ files: Files) async throws {
        let store = try SQLiteStore(path: files.store)
        for user in 0..<10 {
            try await store.saveUser(User(name: "user\(user)", passwordHash: "not-used", monitors: .all))
        }
        let registrations = try (0..<(monitors * devicesPerMonitor)).map { index in
            DeviceRegistration(
                token: String(format: "%064lx", index + 1), user: "user\(index % 10)", platform: .ios, state: .enabled,
                filter: try MonitorFilter(monlist: "\(1 + index % monitors)", intlist: "0"), appVersion: "1.8.001")
        }
        try await store.register(contentsOf: registrations)
    }

    private static func runToCompletion(_ path: String, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BenchmarkFailure("zmes \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    /// Starts `zmes serve` with its log in a file, and waits for its "listening" line.
    private static func launch(_ path: String, configPath: String, in directory: URL) async throws -> (process: Process, adminURL: String) {
        let logPath = directory.appendingPathComponent("zmes.log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw BenchmarkFailure("cannot create \(logPath)") }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["serve", "--config", configPath]
        process.currentDirectoryURL = directory
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let deadline = now() + 30
        while now() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /admin=http:\/\/([^ ]*):(\d+)/) {
                return (process, "http://\(match.1):\(match.2)")
            }
            guard process.isRunning else { throw BenchmarkFailure("zmes serve exited: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw BenchmarkFailure("zmes serve did not start listening within 30 s")
    }

    func shutdown() async {
        zmes.terminate()
        zmes.waitUntilExit()
        await endpoint.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}
