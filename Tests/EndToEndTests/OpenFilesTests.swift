import Foundation
import Testing
import ZmesTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// More connections than open files: the excess is refused, never the store, libcurl or the admin API.
/// It holds 1,500 sockets in the test process, and swift-corelibs-foundation's `Process.run()` can crash
/// while a process has that many descriptors (another suite launching `zmes` in parallel hit it), so it runs
/// only when asked (`ZMES_STORM_TEST=1`), as `Scripts/test.sh` does in its second pass, where the load tests
/// run one at a time: `ZMES_STORM_TEST=1 swift test --filter OpenFilesTests`.
@Suite("Open files", .serialized, .enabled(if: ProcessInfo.processInfo.environment["ZMES_STORM_TEST"] == "1"))
struct OpenFilesTests {
    static let iosToken = String(repeating: "a1b2c3d4", count: 8)
    static let androidToken = "dOpenFilesAndroid:APA91bExample_0123456789abcdefghijklmnopqrstuvwxyz"

    /// Whether the server has closed this socket (a read sees the end or a reset) or still holds it open.
    static func closedByPeer(_ socket: RawSocket) -> Bool {
        var byte: UInt8 = 0
        let count = recv(socket.fd, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    @Test("zmes serve under nofile 1024: 1,500 connections are held or refused; then the admin API answers, a push goes out and a new client gets an alarm")
    func connectionStorm() async throws {
        let prlimit = "/usr/bin/prlimit"
        guard FileManager.default.isExecutableFile(atPath: prlimit) else {
            print("prlimit (util-linux) is not installed: skipped")
            return
        }
        // This process holds the 1,500 sockets: it needs room for them.
        var own = rlimit()
        getrlimit(RLIMIT_NOFILE_VALUE, &own)
        own.rlim_cur = own.rlim_max
        setrlimit(RLIMIT_NOFILE_VALUE, &own)
        guard own.rlim_cur >= 2_000 else {
            print("the test process may open only \(own.rlim_cur) files: skipped")
            return
        }

        try await PushFixture.with(apns: true) { fixture in
            // Sockets that never finish a handshake are kept for the whole test (the default deadline is 10 s).
            let configPath = fixture.directory + "/zmes.yml"
            let config = try String(contentsOfFile: configPath, encoding: .utf8)
            try config.replacingOccurrences(of: "server:\n", with: "server:\n  handshake_timeout: 600\n")
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            try await Zmes.serving(in: fixture.directory, arguments: ["serve", "--log-level", "debug"], launcher: [prlimit, "--nofile=1024:1024"]) { server, ports in
                let startLog = server.standardError.split(separator: "\n").filter { $0.contains("open files limit") || $0.contains("limited by the open-file limit") }
                print(startLog.joined(separator: "\n"))
                #expect(server.standardError.contains("soft=1024"))
                let limitLine = try #require(startLog.first { $0.contains("limited by the open-file limit") })
                let limitText = try #require(limitLine.firstMatch(of: /\slimit=(\d+)/)?.1)
                let limit = try #require(Int(limitText))
                #expect(limit < 1_024)

                _ = try await fixture.connectPhone(ports, token: Self.iosToken, platform: "ios")

                // The storm: 1,500 plain TCP connections that never start TLS, opened within at most a minute.
                var sockets: [RawSocket] = []
                var connectFailures = 0
                let stormDeadline = ContinuousClock.now + .seconds(60)
                for _ in 0..<1_500 where ContinuousClock.now < stormDeadline {
                    do {
                        sockets.append(try RawSocket(port: ports.webSocket, timeout: 2))
                    } catch {
                        connectFailures += 1
                    }
                }
                defer { for socket in sockets { socket.close() } }
                // Refused ones are closed at once; give the server a moment to get through its accept queue.
                var held = 0
                _ = await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
                    held = sockets.filter { !Self.closedByPeer($0) }.count
                    return held <= limit
                }
                let refused = sockets.count - held + connectFailures
                print("storm: \(sockets.count) connected, \(connectFailures) connect failures, \(held) held open, \(refused) refused (limit \(limit))")
                #expect(sockets.count + connectFailures == 1_500, "the storm did not finish within a minute")
                #expect(held <= limit)
                #expect(held + refused == 1_500)
                #expect(server.standardError.contains("websocket connections refused"))

                // While the storm's sockets are still open: the admin API answers, the store works, libcurl sends a push.
                let health = try RawSocket.http(port: ports.admin, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                print("healthz during the storm: \(health.status) \(health.body)")
                #expect(health.status == 200)
                // Through the admin API, not `zmes alarm`: no process is launched while this process holds the sockets.
                let body = #"{"monitorId":1,"eventId":9101,"cause":"Motion"}"#
                let ingest = try RawSocket.http(
                    port: ports.admin,
                    "POST /api/v1/alarms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                #expect(ingest.status == 202, "\(ingest.body)")
                let apns = try #require(fixture.apns)
                let pushed = await eventually { await apns.accepted().contains { $0.deviceToken == Self.iosToken } }
                print("push to APNs during the storm: \(pushed ? "delivered" : "not delivered")")
                #expect(pushed)

                // After the storm: a new client logs in and gets the next alarm over its socket.
                for socket in sockets { socket.close() }
                sockets = []
                let late = try await fixture.connectPhone(ports, token: Self.androidToken, platform: "android", state: "disabled")
                _ = try fixture.alarm(event: 9102)
                var alarm: [String: Any] = [:]
                for _ in 0..<3 where alarm["event"] as? String != "alarm" {
                    alarm = try await late.receive(timeout: .seconds(10))
                }
                let event = (alarm["events"] as? [[String: Any]])?.first
                print("alarm after the storm: \(event?["EventId"] ?? "none")")
                #expect(event?["EventId"] as? String == "9102")
                #expect(!server.standardError.contains("Too many open files"))
                #expect(try await server.terminate() == 0)
            }
        }
    }
}

#if canImport(Glibc)
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#else
private let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
#endif
