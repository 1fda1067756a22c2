import CCurl
import Crypto
import CurlClient
import Foundation
import Logging
import MockProviders
import Model
import PushDispatcher
import Storage
import ZmesBenchSupport

/// One run of every measurement, `repeats` times, against one in-process MockAPNs.
struct Benchmark {
    let n: Int
    let repeats: Int
    /// Requests kept in flight by the bare loop and by h2load.
    let referenceInFlight = 100
    /// Devices registered for the zmes run; the N jobs come from ceil(N / devices) alarms.
    var devices: Int { min(n, 1_000) }
    var alarms: Int { (n + devices - 1) / devices }
    /// Pushes the zmes rows keep in flight (`PUSH_THROUGHPUT_IN_FLIGHT`, default: the Dispatcher's default).
    let inFlight = ProcessInfo.processInfo.environment["PUSH_THROUGHPUT_IN_FLIGHT"].flatMap(Int.init) ?? Dispatcher.defaultMaxInFlight
    /// `PUSH_THROUGHPUT_ONLY=bare,h2load,sender,zmes` runs only those (e.g. to profile one of them).
    let only: Set<String>? = ProcessInfo.processInfo.environment["PUSH_THROUGHPUT_ONLY"].map {
        Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func enabled(_ name: String) -> Bool { only?.contains(name) ?? true }

    let teamID = "BENCHTEAM1"
    let keyID = "BENCHKEY01"
    let topic = "com.example.zmes.bench"

    struct Row {
        var name: String
        var seconds: [Double] = []
        /// CPU seconds of this process (client + mock) and of h2load, during the measurement.
        var cpu: [Double] = []
    }

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))  // once, before any thread uses libcurl
        let workDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("zmes-push-throughput-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }

        let authority = try TestCertificateAuthority()
        let caFile = workDirectory.appendingPathComponent("ca.pem").path
        try authority.writeCA(to: caFile)
        let key = P256.Signing.PrivateKey()
        let mock = try await MockAPNs(authority: authority, teamID: teamID, keyID: keyID, publicKey: key.publicKey, topic: topic)
        // The bare loop, h2load and each APNsSender sign their own provider token; the mock
        // would refuse a new one within 20 minutes (429), as Apple does.
        await mock.setMinimumTokenRefreshInterval(0)

        let jwt = try providerJWT(keyID: keyID, teamID: teamID, key: key)
        let deviceToken = randomDeviceToken()
        let referenceHeaders = [
            "authorization: bearer \(jwt)",
            "apns-topic: \(topic)",
            "apns-push-type: alert",
            "apns-priority: 10",
        ]
        let payloadFile = workDirectory.appendingPathComponent("payload.json").path
        try Data(referencePayload).write(to: URL(fileURLWithPath: payloadFile))
        let h2load = enabled("h2load") ? findH2Load() : nil

        log("PushThroughput: N=\(n), repeats=\(repeats), cores=\(cores), mock APNs at \(mock.url) (in this process)")
        log("reference payload \(referencePayload.count) bytes; h2load: \(h2load ?? "not installed (apt-get install -y nghttp2-client)")")

        // Warm-up (not measured): TLS, the mock's token check, code paths.
        let warmUp = await onThread("bare-curl") { [referenceHeaders, referencePayload, url = mock.url] in
            bareLibcurlLoop(n: 2_000, inFlight: 100, url: url + "/3/device/" + deviceToken, headers: referenceHeaders, body: referencePayload, caFile: caFile)
        }
        guard warmUp.ok == 2_000 else { throw BenchmarkFailure("warm-up failed: \(warmUp.firstProblem ?? "?")") }
        await mock.clearRecords()

        var bare = Row(name: "bare libcurl multi loop")
        var h2 = Row(name: "h2load (ceiling)")
        var senderOnly = Row(name: "zmes APNsSender only, no store")
        var zmes = Row(name: "zmes Dispatcher + Store")
        var registration: [Double] = []
        var jobCreation: [Double] = []

        for round in 1...repeats {
            var connections = await mock.connectionCount()
            func newConnections() async -> Int {
                let total = await mock.connectionCount()
                defer { connections = total }
                return total - connections
            }
            // 1. Reference: bare libcurl.
            if enabled("bare") {
                let cpuBefore = cpuSeconds()
                let result = await onThread("bare-curl") { [referenceHeaders, referencePayload, n, referenceInFlight, url = mock.url] in
                    bareLibcurlLoop(
                        n: n, inFlight: referenceInFlight, url: url + "/3/device/" + deviceToken, headers: referenceHeaders,
                        body: referencePayload, caFile: caFile)
                }
                guard result.ok == n else {
                    throw BenchmarkFailure("bare loop: \(result.ok) of \(n) answered 200, \(result.notOK) other statuses, \(result.transportErrors) transport errors (first: \(result.firstProblem ?? "?"))")
                }
                bare.seconds.append(result.seconds)
                bare.cpu.append(cpuSeconds() - cpuBefore)
                await mock.clearRecords()
                log("round \(round): bare libcurl \(format(result.seconds, 3)) s, \(await newConnections()) connection(s)")
            }

            // 2. zmes: the sender and client alone (diagnostic), then the whole path.
            if enabled("sender") {
                let sent = try await runSenderOnly(mock: mock, key: key, caFile: caFile)
                senderOnly.seconds.append(sent.seconds)
                senderOnly.cpu.append(sent.cpu)
                log("round \(round): APNsSender only \(format(sent.seconds, 3)) s, \(await newConnections()) connection(s)")
            }

            if enabled("zmes") {
                let run = try await runDispatcher(mock: mock, key: key, caFile: caFile, directory: workDirectory.appendingPathComponent("round-\(round)"))
                zmes.seconds.append(run.dispatch)
                zmes.cpu.append(run.cpu)
                registration.append(run.registration)
                jobCreation.append(run.jobCreation)
                log("round \(round): zmes dispatch \(format(run.dispatch, 3)) s (registration \(format(run.registration, 2)) s, recordNotifications \(format(run.jobCreation, 2)) s, not measured), \(await newConnections()) connection(s)")
            }

            // 3. Ceiling: h2load.
            if let h2load {
                let url = "https://127.0.0.1:\(mock.port)/3/device/\(deviceToken)"
                let cpuBefore = cpuSeconds()
                let h = try runH2Load(executable: h2load, n: n, url: url, headers: referenceHeaders, payloadFile: payloadFile)
                guard h.succeeded == n, h.twoHundreds == n else {
                    throw BenchmarkFailure("h2load: \(h.succeeded) succeeded, \(h.twoHundreds) 2xx of \(n)")
                }
                h2.seconds.append(h.seconds)
                h2.cpu.append(cpuSeconds() - cpuBefore)
                await mock.clearRecords()
                log("round \(round): h2load \(format(h.seconds, 3)) s, \(await newConnections()) connection(s)")
            }
        }
        await mock.shutdown()

        let bareRate = Double(n) / median(bare.seconds)
        let rows = [bare, h2, senderOnly, zmes].filter { !$0.seconds.isEmpty }
        print("")
        print("PushThroughput: N=\(n), median of \(repeats), cores=\(cores) (ProcessInfo.activeProcessorCount); mock APNs in-process, HTTP/2 over TLS on loopback")
        let header = ["name", "N", "seconds", "requests/s", "ratio to bare", "cores", "CPU µs/push"]
        var table: [[String]] = [header]
        for row in rows {
            let seconds = median(row.seconds)
            let rate = Double(n) / seconds
            table.append([row.name, String(n), format(seconds, 3), format(rate, 0), bareRate.isNaN ? "n/a" : format(rate / bareRate, 2), String(cores),
                format(median(row.cpu) / Double(n) * 1e6, 0),
            ])
        }
        printTable(table)
        if enabled("h2load") && h2load == nil { print("h2load: not installed, skipped (apt-get install -y nghttp2-client)") }
        if !registration.isEmpty {
            print("zmes setup, not measured (median): registering \(devices) iOS devices (Store.register, one transaction each) \(format(median(registration), 2)) s; "
                + "\(alarms) alarms x \(devices) devices -> \(n) outbox rows (Store.recordNotifications, one transaction per alarm) \(format(median(jobCreation), 2)) s")
        }
        print("per-round seconds: " + rows.map { "\($0.name): " + $0.seconds.map { format($0, 3) }.joined(separator: ", ") }.joined(separator: "; "))
        printSummary(bare: bare, h2: h2, zmes: zmes)
    }

    /// Lines for Scripts/benchmarks.sh. The headline ratio is the median of the per-round
    /// ratios: each round runs the reference and zmes back to back, so they share the machine's load.
    func printSummary(bare: Row, h2: Row, zmes: Row) {
        guard !bare.seconds.isEmpty else { return }
        let bareRate = Double(n) / median(bare.seconds)
        if zmes.seconds.count == bare.seconds.count {
            let ratio = median(zip(bare.seconds, zmes.seconds).map { $0 / $1 })
            let rate = Double(n) / median(zmes.seconds)
            summary(
                "push throughput (Dispatcher + Store)", format(rate, 0), "pushes/s", "bare libcurl multi loop", format(bareRate, 0),
                format(ratio, 2), ">= 0.70", ratio >= 0.7 ? "PASS" : "FAIL")
            let cpuRatio = median(bare.cpu) / median(zmes.cpu)
            summary(
                "push CPU per push (Dispatcher + Store)", format(median(zmes.cpu) / Double(n) * 1e6, 0), "µs", "bare libcurl multi loop",
                format(median(bare.cpu) / Double(n) * 1e6, 0), format(cpuRatio, 2), "info", "INFO")
        }
        if !h2.seconds.isEmpty {
            let rate = Double(n) / median(h2.seconds)
            summary("h2load on the same mock (ceiling)", format(rate, 0), "requests/s", "bare libcurl multi loop", format(bareRate, 0), format(rate / bareRate, 2), "ceiling", "INFO")
        }
    }

    // MARK: - zmes

    func credential(mock: MockAPNs, key: P256.Signing.PrivateKey, caFile: String) throws -> APNsCredential {
        try credential(endpoint: mock.url, key: key, caFile: caFile)
    }

    func credential(endpoint: String, key: P256.Signing.PrivateKey, caFile: String) throws -> APNsCredential {
        // APNsCredential's memberwise initialiser is internal; it is Codable, as the store keeps it.
        let fields = [
            "name": "bench", "keyPEM": key.pemRepresentation, "keyID": keyID, "teamID": teamID, "topic": topic,
            "environment": "production", "endpoint": endpoint, "caFile": caFile,
        ]
        return try JSONDecoder().decode(APNsCredential.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    /// N sends through APNsSender + CurlClient, `inFlight` at a time (as the Dispatcher keeps), no store.
    func runSenderOnly(mock: MockAPNs, key: P256.Signing.PrivateKey, caFile: String) async throws -> (seconds: Double, cpu: Double) {
        try await runSenderOnly(endpoint: mock.url, key: key, caFile: caFile) {
            let count = await mock.accepted().count
            await mock.clearRecords()
            return count
        }
    }

    /// N sends through APNsSender + CurlClient to `endpoint`; `accepted` says how many arrived.
    func runSenderOnly(
        endpoint: String, key: P256.Signing.PrivateKey, caFile: String, accepted: () async throws -> Int
    ) async throws -> (seconds: Double, cpu: Double) {
        let client = CurlClient()
        defer { client.shutdown() }
        let sender = try APNsSender(credential: credential(endpoint: endpoint, key: key, caFile: caFile), client: client)
        let template = MessageTemplate(title: "{name} Alarm ({eid})", body: "{cause} at {time}")
        let alarm = Alarm(monitorId: 1, monitorName: "Front Door", eventId: 123_456, cause: "Motion: person detected in zone Driveway")
        let tokens = (0..<1_000).map { _ in randomDeviceToken() }
        let (title, body) = template.render(alarm)
        let n = self.n
        let cpuBefore = cpuSeconds()
        let start = now()
        // A send that is not delivered (a transfer cut by the server's GOAWAY) is sent again, as the
        // dispatcher would, so the row counts what it takes to deliver all N.
        let (delivered, resent) = await withTaskGroup(of: (index: Int, ok: Bool).self) { group in
            var next = 0
            var again: [Int] = []
            var delivered = 0
            func add(_ index: Int) {
                group.addTask {
                    let message = PushMessage(
                        jobID: Int64(index), token: tokens[index % tokens.count], platform: .ios, badge: 1, alarm: alarm,
                        title: title, body: body, expiresAt: Date().addingTimeInterval(3_600))
                    if case .delivered = await sender.send(message) { return (index, true) }
                    return (index, false)
                }
            }
            func addNext() {
                if let index = again.popLast() {
                    add(index)
                } else if next < n {
                    add(next)
                    next += 1
                }
            }
            var resent = 0
            while next < min(inFlight, n) { addNext() }
            while let done = await group.next() {
                if done.ok {
                    delivered += 1
                } else {
                    again.append(done.index)
                    resent += 1
                }
                addNext()
            }
            return (delivered, resent)
        }
        if resent > 0 { log("APNsSender only: \(resent) sends not delivered were sent again") }
        let seconds = now() - start
        let cpu = cpuSeconds() - cpuBefore
        let arrived = try await accepted()
        guard delivered == n, arrived >= n else {
            throw BenchmarkFailure("APNsSender only: \(delivered) delivered, the server accepted \(arrived), of \(n)")
        }
        return (seconds, cpu)
    }

    struct DispatchRun {
        var registration: Double
        var jobCreation: Double
        var dispatch: Double
        var cpu: Double
    }

    /// The real path: fresh store, N registered iOS devices, one alarm's outbox rows made by
    /// Store.recordNotifications, then a Dispatcher timed from start until all N are delivered in the store.
    func runDispatcher(mock: MockAPNs, key: P256.Signing.PrivateKey, caFile: String, directory: URL) async throws -> DispatchRun {
        let store = try SQLiteStore(path: directory.appendingPathComponent("zmes.sqlite").path)
        let tokens = (0..<devices).map { _ in randomDeviceToken() }

        var start = now()
        for token in tokens {
            try await store.register(DeviceRegistration(token: token, user: "bench", platform: .ios, state: .enabled, filter: nil, appVersion: "1.0"))
        }
        let registration = now() - start

        // As the alarm router does: one recordNotifications per alarm, every device a candidate.
        start = now()
        var queued = 0
        for index in 0..<alarms {
            let alarm = Alarm(
                monitorId: 1, monitorName: "Front Door", eventId: 123_456 + index, cause: "Motion: person detected in zone Driveway")
            let candidates = tokens.prefix(min(devices, n - queued)).map { NotificationCandidate(token: $0, interval: 0, provider: .apns) }
            queued += try await store.recordNotifications(for: alarm, candidates: candidates).count
        }
        let jobCreation = now() - start
        guard queued == n else { throw BenchmarkFailure("recordNotifications queued \(queued) of \(n)") }

        let client = CurlClient()
        let sender = try APNsSender(credential: credential(mock: mock, key: key, caFile: caFile), client: client)
        var logger = Logger(label: "zmes.bench")
        logger.logLevel = .warning
        let dispatcher = Dispatcher(
            store: store, senders: [.apns: CredentialSender(credentialName: "bench", sender: sender)],
            template: MessageTemplate(title: "{name} Alarm ({eid})", body: "{cause} at {time}"), maxAge: 3_600,
            maxInFlight: inFlight, logger: logger)

        let cpuBefore = cpuSeconds()
        start = now()
        let task = Task { await dispatcher.run() }
        let deadline = start + 300
        // Done when every push is recorded delivered in the store. The store is polled only once the
        // mock has them all: a count over the outbox every 10 ms would cost as much CPU as a tenth of the pushes.
        while await mock.acceptedCount() < n, now() < deadline {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        while true {
            let counts = try await store.outboxCounts()
            if (counts[.queued] ?? 0) + (counts[.retrying] ?? 0) == 0 || (counts[.failed] ?? 0) > 0 || now() > deadline { break }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        let dispatch = now() - start
        let cpu = cpuSeconds() - cpuBefore
        task.cancel()
        dispatcher.wake()  // an idle dispatcher sleeps up to 1 s before it sees the cancellation
        await task.value
        client.shutdown()

        let counts = try await store.outboxCounts()
        let accepted = await mock.accepted().count
        await mock.clearRecords()
        guard counts[.delivered] == n, accepted == n else {
            throw BenchmarkFailure("zmes: outbox \(counts), mock accepted \(accepted), of \(n)")
        }
        return DispatchRun(registration: registration, jobCreation: jobCreation, dispatch: dispatch, cpu: cpu)
    }
}
