import Crypto
import Foundation
import PushDispatcher
import MockProviders
import ZmesBenchSupport
import ZmesTestSupport

/// The rows against a real nginx as the APNs endpoint (BENCHMARKS.md, "1. Push throughput" and
/// "1b. Instances"): the in-process mock tops out near 8,000 requests/s on this machine, so it
/// cannot show whether zmes keeps up with a faster server, nor how instances scale.
///
/// - the bare libcurl loop against nginx: the reference;
/// - `zmes serve` (the release binary) on SQLite with `devices` devices and one alarm: the headline;
/// - `zmes serve` ×1, ×2, ×3 on one PostgreSQL database, each instance its own process.
struct NginxBenchmark {
    let n: Int
    let bareRounds: Int
    /// The release `zmes`; without it the serve rows are skipped with a note.
    let zmes: String?
    let streams = 1_000
    /// `PUSH_THROUGHPUT_NGINX_KEEPALIVE_REQUESTS`: nginx's `keepalive_requests` (default 1,000: a GOAWAY
    /// every 1,000 requests), to see what the reconnections cost.
    let keepaliveRequests = ProcessInfo.processInfo.environment["PUSH_THROUGHPUT_NGINX_KEEPALIVE_REQUESTS"].flatMap(Int.init)
    let referenceInFlight = 100

    func run() async throws {
        guard Nginx.isInstalled else {
            print("\nnginx: not installed (\(Nginx.executable)), the rows against nginx are skipped (apt-get install nginx-light)")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-push-nginx-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let authority = try TestCertificateAuthority()
        let caFile = work + "/ca.pem"
        try authority.writeCA(to: caFile)
        let nginx = try await Nginx(
            in: work + "/nginx", certificatePEM: authority.serverCertificatePEM, privateKeyPEM: authority.serverPrivateKeyPEM,
            maxConcurrentStreams: streams, keepaliveRequests: keepaliveRequests)
        ChildProcesses.add(nginx.pid)  // killed even if this process is interrupted
        defer {
            nginx.stop()
            ChildProcesses.remove(nginx.pid)
        }
        log("nginx (pid \(nginx.pid)) at \(nginx.url), http2_max_concurrent_streams \(streams), keepalive_requests \(keepaliveRequests.map(String.init) ?? "1000 (default)")")

        let key = P256.Signing.PrivateKey()
        let bare = try await bareRows(nginx: nginx, key: key, caFile: caFile)
        let senderOnly = try await senderOnlyRow(nginx: nginx, key: key, caFile: caFile)

        var serve: [ServeRun] = []
        var notes: [String] = []
        if let zmes {
            let devices = n
            func cluster(_ name: String, _ store: BenchStore, instances: Int, registration: Double? = nil, postgresPID: pid_t?) async throws -> ServeRun {
                let directory = work + "/" + name.filter { $0.isLetter || $0.isNumber }
                let cluster = try await ServeCluster(
                    zmes: zmes, store: store, instances: instances, devices: devices, registration: registration, endpoint: nginx.url,
                    keyPEM: key.pemRepresentation, caFile: caFile, directory: directory)
                defer { cluster.stop() }
                let run = try await cluster.measure(name: name, devices: devices, nginx: nginx, postgresPID: postgresPID)
                log("\(name): \(format(run.seconds, 3)) s, \(format(run.rate, 0)) pushes/s, \(run.resends) resent, outbox \(run.outbox.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: " ")), registration \(format(run.registration, 2)) s (not measured)")
                return run
            }
            serve.append(try await cluster("zmes serve, SQLite, 1 instance", .sqlite(path: work + "/sqlite/zmes.sqlite"), instances: 1, postgresPID: nil))
            if FileManager.default.isExecutableFile(atPath: PostgresServer.binaries + "/postgres") {
                let postgres = try PostgresServer.start(durable: true)
                ChildProcesses.add(postgres.pid)
                defer {
                    postgres.stop()
                    ChildProcesses.remove(postgres.pid)
                }
                // The devices are written once, into a template: each configuration gets a copy
                // (CREATE DATABASE … TEMPLATE, a file copy) instead of 30 s of registering again.
                let template = try postgres.createDatabase()
                let registration = try await ServeCluster.populate(.postgres(postgres, database: template), devices: devices)
                for instances in 1...3 {
                    let database = template + "_run\(instances)"
                    try createDatabase(database, from: template, on: postgres)
                    serve.append(
                        try await cluster(
                            "zmes serve, PostgreSQL, \(instances) instance\(instances == 1 ? "" : "s")", .postgres(postgres, database: database),
                            instances: instances, registration: registration, postgresPID: postgres.pid))
                }
            } else {
                notes.append("PostgreSQL 15 not installed (\(PostgresServer.binaries)/postgres): the instance rows are skipped (apt-get install postgresql)")
            }
        } else {
            notes.append("no zmes binary given (PushThroughput N rounds PATH-TO-ZMES): the zmes serve rows are skipped")
        }
        NginxReport(n: n, bareRounds: bareRounds, streams: streams, bare: bare, serve: serve, notes: notes).print()
        let bareRate = Double(n) / median(bare.map(\.seconds))
        let senderRate = Double(n) / senderOnly
        print("diagnostic: zmes APNsSender + CurlClient alone (no store, no dispatcher, \(Dispatcher.defaultMaxInFlight) in flight) on nginx: \(format(senderOnly, 3)) s, \(format(senderRate, 0)) pushes/s, \(format(senderRate / bareRate, 2)) x the bare loop")
        summary(
            "push throughput against nginx (APNsSender + CurlClient only, no store)", format(senderRate, 0), "pushes/s",
            "bare libcurl multi loop on nginx", format(bareRate, 0), format(senderRate / bareRate, 2), "info", "INFO")
    }

    /// zmes's sender and HTTP client alone against nginx, N sends with the dispatcher's in-flight limit:
    /// what is left of the gap to the bare loop once the store and the dispatcher's loop are out of it.
    func senderOnlyRow(nginx: Nginx, key: P256.Signing.PrivateKey, caFile: String) async throws -> Double {
        try nginx.truncateAccessLog()
        let run = try await Benchmark(n: n, repeats: 1).runSenderOnly(endpoint: nginx.url, key: key, caFile: caFile) {
            try nginx.loggedRequests().values.reduce(0, +)
        }
        log("nginx: APNsSender only \(format(run.seconds, 3)) s")
        return run.seconds
    }

    /// `CREATE DATABASE name TEMPLATE template`. PostgreSQL refuses while a session is still on the
    /// template, and the client that wrote it closes its connections as it winds down: a few tries.
    private func createDatabase(_ name: String, from template: String, on postgres: PostgresServer) throws {
        for attempt in 1...50 {
            do {
                try postgres.psql("CREATE DATABASE \(name) TEMPLATE \(template)")
                return
            } catch where attempt < 50 {
                usleep(100_000)
            }
        }
    }

    /// The bare loop against nginx, `bareRounds` times after a warm-up. nginx's access log must
    /// hold exactly N POSTs per round; a transfer that ended in error 92 after its 200 is counted, not failed.
    func bareRows(nginx: Nginx, key: P256.Signing.PrivateKey, caFile: String) async throws -> [BareResult] {
        let jwt = try providerJWT(keyID: ServeCluster.keyID, teamID: ServeCluster.teamID, key: key)
        let headers = ["authorization: bearer \(jwt)", "apns-topic: \(ServeCluster.topic)", "apns-push-type: alert", "apns-priority: 10"]
        let url = nginx.url + "/3/device/" + randomDeviceToken()
        var results: [BareResult] = []
        for round in 0...bareRounds {
            let count = round == 0 ? 2_000 : n  // round 0: warm-up, not measured
            try nginx.truncateAccessLog()
            var result = await onThread("bare-curl") { [referenceInFlight] in
                bareLibcurlLoop(n: count, inFlight: referenceInFlight, url: url, headers: headers, body: referencePayload, caFile: caFile)
            }
            let logged = try nginx.loggedRequests().values.reduce(0, +)
            result.arrived = logged
            let outcome = "\(result.ok) of \(count) answered 200 cleanly, \(result.streamErrorsAfter200) ended in error 92 after their 200, \(result.otherErrorsAfter200) in another error after their 200, \(result.notOK) other statuses, \(result.transportErrors) transport errors without a 200 (first problem: \(result.firstProblem ?? "none")); nginx logged \(logged)"
            // nginx's log is the truth for what arrived: errors after a 200 are reported, not failed, and so
            // is a request lost when nginx closed the connection (GOAWAY after keepalive_requests) under it.
            guard result.notOK == 0, logged + result.transportErrors >= count else {
                throw BenchmarkFailure("bare loop on nginx: \(outcome)")
            }
            if round > 0 {
                results.append(result)
                log("nginx round \(round): bare libcurl \(format(result.seconds, 3)) s; \(outcome)")
            }
        }
        return results
    }
}
