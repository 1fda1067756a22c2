import Foundation
import GRDB
import Testing
import ZmesTestSupport

/// ZoneMinder 1.36's shared memory (the layout of SharedDataLayout.swift), written byte by byte the way zmc does,
/// read by `zmes serve` and delivered to a websocket client.
@Suite("ZoneMinder shared memory through zmes serve", .serialized)
struct SharedMemoryServeTests {
    /// `zmes serve` in `directory`, once it watches the shared memory, and a plain websocket client of
    /// it, for `body`; then the client is closed and SIGTERM must stop the server with status 0.
    func serving(_ directory: String, _ body: (RunningZmes, TestClient) async throws -> Void) async throws {
        try await Zmes.serving(in: directory) { server, ports in
            #expect(await eventually(timeout: .seconds(10)) { server.standardError.contains("zoneminder shared memory: watching") })
            let client = try await TestClient.connect(port: ports.webSocket, certificatePath: nil)
            try await body(server, client)
            await client.close()
            #expect(try await server.terminate() == 0)
        }
    }

    func events(_ message: [String: Any]) -> (id: String?, cause: String?) {
        let event = (message["events"] as? [[String: Any]])?.first
        return (event?["EventId"] as? String, event?["Cause"] as? String)
    }

    @Test("a start, an end, a short event, events back to back, and no repeat after a restart")
    func lifecycle() async throws {
        let (directory, monitor) = try makeZoneMinderDirectory()
        monitor.write(state: .idle, event: 40)  // an old event, before zmes started

        try await serving(directory) { _, client in
            try await client.expectNoPendingMessage()  // the old event is not announced

            monitor.write(state: .alarm, event: 41, cause: "Motion: Driveway")
            var message = try await client.receive()
            #expect(message["event"] as? String == "alarm")
            #expect(events(message).id == "41")
            #expect(events(message).cause == "Motion: Driveway")
            #expect(((message["events"] as? [[String: Any]])?.first?["Name"] as? String) == "Garage")

            monitor.write(state: .alert, event: 41, cause: "Motion: Driveway")
            try await Task.sleep(for: .milliseconds(200))
            monitor.write(state: .idle, event: 41, cause: "Motion: Driveway")
            message = try await client.receive()
            #expect(events(message).id == "41")
            #expect(events(message).cause == "End: Motion: Driveway")

            // Back to back: a newer event replaces the open one.
            monitor.write(state: .alarm, event: 42, cause: "Forced Web")
            #expect(events(try await client.receive()).id == "42")
            monitor.write(state: .alarm, event: 43, cause: "Forced Web")
            message = try await client.receive()
            #expect(events(message).id == "42")
            #expect(events(message).cause?.hasPrefix("End:") == true)
            #expect(events(try await client.receive()).id == "43")
            monitor.write(state: .idle, event: 43, cause: "Forced Web")
            #expect(events(try await client.receive()).cause?.hasPrefix("End:") == true)

            // An event shorter than a poll: only last_event_id tells; it is still announced.
            monitor.write(state: .idle, event: 44, cause: "Linked")
            message = try await client.receive()
            #expect(events(message).id == "44")
            #expect(events(message).cause == "Linked")
            #expect(events(try await client.receive()).cause == "End: Linked")
        }
        // A restart neither repeats event 44 nor misses the next one.
        try await serving(directory) { _, client in
            try await client.expectNoPendingMessage()
            monitor.write(state: .alarm, event: 45, cause: "Motion")
            #expect(events(try await client.receive()).id == "45")
        }
    }

    @Test("a monitor file that disappears and comes back, and an unknown layout, are survived")
    func disappearing() async throws {
        let (directory, monitor) = try makeZoneMinderDirectory(
            monitors: "[{id: 1, name: Garage}, {id: 2, name: Porch}, {id: 3, name: Yard}, {id: 4, name: Gate}]", sendEventEnd: false)
        let shm = directory + "/shm"
        monitor.write(state: .idle, event: 10)
        var bogus = [UInt8](repeating: 0, count: 2_048)
        bogus[0] = 123  // size 123: no known layout
        _ = FileManager.default.createFile(atPath: shm + "/zm.mmap.2", contents: Data(bogus))
        let newer = ZoneMinderMonitorFile(directory: shm, monitorId: 3, version: .v138)
        newer.write(state: .idle, event: 0)
        _ = FileManager.default.createFile(atPath: shm + "/zm.mmap.4", contents: Data([0xF8, 0x02, 0, 0]))  // truncated
        try await serving(directory) { server, client in
            #expect(await eventually(timeout: .seconds(5)) { server.standardError.contains("unknown") || server.standardError.contains("layout") })
            #expect(await eventually(timeout: .seconds(5)) { server.standardError.contains("monitor=4") })

            // ZoneMinder 1.38's layout is read as well.
            newer.write(state: .alarm, event: 30, cause: "Person")
            let fromNewer = try await client.receive()
            #expect(events(fromNewer).id == "30")
            #expect(events(fromNewer).cause == "Person")
            #expect(((fromNewer["events"] as? [[String: Any]])?.first?["Name"] as? String) == "Yard")

            try FileManager.default.removeItem(atPath: monitor.path)  // zmc restarting
            try await Task.sleep(for: .milliseconds(300))
            monitor.write(state: .idle, event: 0)  // a new file: no event yet
            try await Task.sleep(for: .milliseconds(300))
            try await client.expectNoPendingMessage()
            monitor.write(state: .alarm, event: 11, cause: "Motion")
            #expect(events(try await client.receive()).id == "11")
        }
    }

    /// "id|cause" of an alarm message's event, for comparisons.
    func summary(_ message: [String: Any]) -> String {
        let event = events(message)
        return "\(event.id ?? "-")|\(event.cause ?? "-")"
    }

    /// A directory with a zmes.yml watching `monitors` (monitor 1, Garage, by default) in `<directory>/shm`,
    /// ends sent unless `sendEventEnd` is false; and monitor 1's file (not written yet).
    func makeZoneMinderDirectory(
        monitors: String = "[{id: 1, name: Garage}]", sendEventEnd: Bool = true
    ) throws -> (directory: String, monitor: ZoneMinderMonitorFile) {
        let directory = Zmes.makeDirectory()
        let shm = directory + "/shm"
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        try Zmes.writeConfig(
            directory, server: ["tls: {enabled: false}"],
            sections: """
                auth: {enabled: false}
                zoneminder:
                  enabled: true
                  shm_dir: \(shm)
                  poll_interval: 0.05
                  send_event_end: \(sendEventEnd)
                  monitors: \(monitors)

                """)
        return (directory, ZoneMinderMonitorFile(directory: shm, monitorId: 1))
    }

    @Test("an event in progress across a restart gets its end, once; ids going down after a ZoneMinder reset are new events")
    func restartDuringEvent() async throws {
        let (directory, monitor) = try makeZoneMinderDirectory()
        monitor.write(state: .idle, event: 40)
        try await serving(directory) { _, client throws in
            monitor.write(state: .alarm, event: 41, cause: "Forced Web")
            #expect(summary(try await client.receive()) == "41|Forced Web")
        }
        // zmes restarts while event 41 goes on; the phone reconnects.
        try await serving(directory) { server, client in
            try await client.expectNoPendingMessage()  // the start is not repeated
            monitor.write(state: .idle, event: 41, cause: "Forced Web")
            let end = summary(try await client.receive())
            print("restart mid-event: end notification \(end)")
            #expect(end == "41|End: Forced Web")
            try await Task.sleep(for: .milliseconds(300))
            try await client.expectNoPendingMessage()  // exactly once

            // ZoneMinder's database reset: zmc starts over with a new file and ids from 1.
            monitor.write(state: .idle, event: 0)
            try await Task.sleep(for: .milliseconds(200))
            monitor.write(state: .alarm, event: 2, cause: "Motion")
            let lower = summary(try await client.receive())
            print("ids going down: event \(lower) notified after 41")
            #expect(lower == "2|Motion")
            #expect(await eventually(timeout: .seconds(5)) { server.standardError.contains("zoneminder event ids went down") })
            monitor.write(state: .idle, event: 2, cause: "Motion")
            #expect(summary(try await client.receive()) == "2|End: Motion")
        }
        // The new sequence is what a restart remembers: event 2 is not repeated, 3 is new.
        try await serving(directory) { _, client in
            try await client.expectNoPendingMessage()
            monitor.write(state: .alarm, event: 3, cause: "Motion")
            #expect(events(try await client.receive()).id == "3")
        }
    }

    @Test("an alarm whose routing fails (the store locked by another process) is still delivered once the store is free")
    func routingFailureIsRetried() async throws {
        let (directory, monitor) = try makeZoneMinderDirectory()
        monitor.write(state: .idle, event: 40)
        try await serving(directory) { server, client in
            // A registered device, so routing writes to the store (its notification row).
            try await client.registerDevice(token: String(repeating: "ab", count: 32), state: "disabled", appVersion: "1.8.001")

            // Another process holds the store's write lock past zmes's 10 s busy timeout, until
            // zmes says routing the alarm failed; then lets go.
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let lock = try DatabaseQueue(path: directory + "/zmes-data/zmes.sqlite")
            let holder = Thread {
                try? lock.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    _ = release.wait(timeout: .now() + 120)
                    try db.execute(sql: "COMMIT")
                }
            }
            holder.start()
            locked.wait()
            monitor.write(state: .alarm, event: 41, cause: "Motion")
            let failed = await eventually(timeout: .seconds(90)) { server.standardError.contains("cannot route a zoneminder alarm") }
            release.signal()
            #expect(failed, "routing never failed: the test proves nothing")
            let released = ContinuousClock.now
            let message = try await client.receive(timeout: .seconds(60))
            print("routing failure: event \(events(message).id ?? "none") delivered \(ContinuousClock.now - released) after the store was unlocked")
            #expect(events(message).id == "41")
        }
        // Recorded after routing: a restart does not repeat it.
        try await serving(directory) { _, client in
            try await client.expectNoPendingMessage()
        }
    }
}
