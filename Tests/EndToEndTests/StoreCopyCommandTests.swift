import Foundation
import Logging
import Model
import Storage
import Testing
import ZmesTestSupport

@Suite("zmes store copy", .serialized)
struct StoreCopyCommandTests {
    @Test("an SQLite install is copied into an empty PostgreSQL database; a second copy is refused and changes nothing")
    func copiesThenRefuses() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        let added = try Zmes.run(["user", "add", "alice", "--admin", "--password-stdin"], in: directory, input: "alice-pw-0001\n")
        #expect(added.status == 0, "\(added.errors)")
        let now = Date()
        let source = try SQLiteStore(path: directory + "/zmes-data/zmes.sqlite")
        try await source.importDevices([
            (DeviceRegistration(token: "ios-token-1", user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1.6"), 3),
            (DeviceRegistration(token: "android-token-2", user: "alice", platform: .android, state: .enabled, filter: nil, appVersion: ""), 0),
        ])
        try await source.saveCredential(name: "apns-main", provider: .apns, body: Data(#"{"key":"k"}"#.utf8))
        _ = try await source.secret(named: "picture-signing-key") { [9, 8, 7] }
        try await source.muteMonitor(2, until: now.addingTimeInterval(600))
        try await source.saveLastNotifiedEvent(monitor: 2, event: 17)
        _ = try await source.recordNotifications(
            for: Alarm(monitorId: 2, monitorName: "Door", eventId: 17, cause: "motion"),
            candidates: [NotificationCandidate(token: "ios-token-1", interval: 0, provider: .apns)])

        let server = try PostgresServer.shared()
        let url = server.url(database: try server.createDatabase())
        let copied = try Zmes.run(["store", "copy", "--from", "sqlite:zmes-data/zmes.sqlite", "--to", url], in: directory)
        print("zmes store copy: status \(copied.status)\n\(copied.output)\(copied.errors)")
        #expect(copied.status == 0)
        #expect(copied.output.contains("copied 1 user, 2 devices, 1 credential, 1 secret, 1 mute, 1 monitor's last event, 1 pending push"))
        #expect(copied.output.contains("not copied: delivered and failed pushes"))

        var logger = Logger(label: "zmes.tests.store-copy")
        logger.logLevel = .warning
        let location = StoreLocation.postgres(try PostgresLocation(url: url))
        try await withStore(location, instanceId: "test", logger: logger) { (target: any Store) async throws in
            #expect(try await target.users() == source.users())
            #expect(try await target.device(token: "ios-token-1") == source.device(token: "ios-token-1"))
            #expect(try await target.credentials() == source.credentials())
            #expect(try await target.secrets() == ["picture-signing-key": [9, 8, 7]])
            #expect(try await target.lastNotifiedEvents() == [2: 17])
            #expect(try await target.pushJobs(state: .queued).map(\.token) == ["ios-token-1"])
        }

        let again = try Zmes.run(["store", "copy", "--from", "sqlite:zmes-data/zmes.sqlite", "--to", url], in: directory)
        print("zmes store copy again: status \(again.status)\n\(again.output)\(again.errors)")
        #expect(again.status != 0)
        #expect(again.errors.contains("not empty"))
        #expect(!again.output.contains("copied"))
        try await withStore(location, instanceId: "test", logger: logger) { (target: any Store) async throws in
            #expect(try await target.users().count == 1)
            #expect(try await target.devices().count == 2)
            #expect(try await target.outboxCounts() == [.queued: 1])
        }
    }

    @Test("mistakes are refused before anything is opened, and the password never appears")
    func mistakes() throws {
        let directory = Zmes.makeDirectory()
        let missing = try Zmes.run(["store", "copy", "--from", "sqlite:nowhere.sqlite", "--to", "postgres://u@127.0.0.1:1/d"], in: directory)
        #expect(missing.status != 0)
        #expect(missing.errors.contains("there is no SQLite store at nowhere.sqlite"))

        try "hunter2\n".write(toFile: directory + "/pw", atomically: true, encoding: .utf8)
        try Data().write(to: URL(fileURLWithPath: directory + "/a.sqlite"))
        let twice = try Zmes.run(
            ["store", "copy", "--from", "sqlite:a.sqlite", "--to", "postgres://u:hunter3@127.0.0.1:1/d", "--to-password-file", "pw"],
            in: directory, environment: ["ZMES_STORE_PASSWORD": ""])
        #expect(twice.status != 0)
        #expect(twice.errors.contains("given more than once"))
        #expect(!(twice.output + twice.errors).contains("hunter"))

        let badTarget = try Zmes.run(["store", "copy", "--from", "sqlite:a.sqlite", "--to", "mysql://u@h/d"], in: directory)
        #expect(badTarget.status != 0)
        #expect(badTarget.errors.contains("--to: must be sqlite:PATH or postgres://"))
    }
}
