import Foundation
import GRDB
import Model
import Testing

@testable import Storage

@Suite("Devices by monitor")
struct DeviceMonitorsTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-store-\(UUID().uuidString)/zmes.sqlite").path

    func registration(_ token: String, monlist: String? = nil, intlist: String = "") throws -> DeviceRegistration {
        DeviceRegistration(
            token: token, user: "alice", platform: .android, state: .enabled,
            filter: try monlist.map { try MonitorFilter(monlist: $0, intlist: intlist) }, appVersion: "1.8.001")
    }

    func watching(_ store: any Store, _ monitor: Int) async throws -> Set<String> {
        Set(try await store.devices(watching: monitor).map(\.token))
    }

    @Test("a device listing 1,2 is found for monitor 2 and not 3; one with an empty list for any monitor", arguments: Backend.allCases)
    func lists(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(try registration("listed", monlist: "1,2", intlist: "0,60"))
            try await store.register(try registration("everything"))
            try await store.register(try registration("cleared", monlist: ""))
            #expect(try await watching(store, 2) == ["listed", "everything", "cleared"])
            #expect(try await watching(store, 3) == ["everything", "cleared"])
            let listed = try #require(try await store.devices(watching: 1).first { $0.token == "listed" })
            #expect(listed.filter.interval(for: 2) == 60)
        }
    }

    @Test("changing a device's lists, re-registering it and deleting it keep the lookup right", arguments: Backend.allCases)
    func changes(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(try registration("t1", monlist: "1,2"))
            try await store.setFilter(try MonitorFilter(monlist: "3", intlist: ""), token: "t1")
            #expect(try await watching(store, 2).isEmpty)
            #expect(try await watching(store, 3) == ["t1"])
            // Re-registering without lists keeps them; with lists replaces them.
            try await store.register(try registration("t1"))
            #expect(try await watching(store, 3) == ["t1"])
            try await store.register(try registration("t1", monlist: "4"))
            #expect(try await watching(store, 3).isEmpty)
            #expect(try await watching(store, 4) == ["t1"])
            // An empty list means every monitor again.
            try await store.setFilter(.all, token: "t1")
            #expect(try await watching(store, 99) == ["t1"])
            try await store.removeDevice(token: "t1")
            #expect(try await watching(store, 99).isEmpty)
            #expect(try await watching(store, 4).isEmpty)
            // A new device with the same token starts from its own lists only.
            try await store.register(try registration("t1", monlist: "7"))
            #expect(try await watching(store, 4).isEmpty)
            #expect(try await watching(store, 7) == ["t1"])
        }
    }

    @Test("removing a user removes their devices from every monitor", arguments: Backend.allCases)
    func removeUser(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.saveUser(User(name: "alice", passwordHash: "x", monitors: .all))
            try await store.register(try registration("t1", monlist: "5"))
            try await store.removeUser(named: "alice")
            #expect(try await watching(store, 5).isEmpty)
        }
    }

    @Test("registering many devices at once finds each by its monitors", arguments: Backend.allCases)
    func batch(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            try await store.register(contentsOf: (0..<50).map { try registration("t\($0)", monlist: "\($0 % 5)") })
            #expect(try await watching(store, 3) == Set((0..<50).filter { $0 % 5 == 3 }.map { "t\($0)" }))
            #expect(try await store.deviceOwners(among: ["t1", "t49", "unknown"]) == ["t1": "alice", "t49": "alice"])
        }
    }

    @Test("a store written before the monitor index finds its devices after the upgrade")
    func backfill() async throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v4-zoneminder")
            try await old.write { db in
                for (token, monlist, intlist) in [("listed", "2,1", "60,0"), ("everything", "", ""), ("blank", " ", ""), ("garbled", "1,x", "")] {
                    try db.execute(
                        sql: """
                            INSERT INTO devices (token, user, platform, state, monlist, intlist, created_at, updated_at)
                            VALUES (?, 'alice', 'android', 'enabled', ?, ?, 0, 0)
                            """,
                        arguments: [token, monlist, intlist])
                }
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try await watching(store, 1) == ["listed", "everything", "blank", "garbled"])
        #expect(try await watching(store, 3) == ["everything", "blank", "garbled"])
        // What the devices say about themselves is unchanged.
        let listed = try #require(try await store.device(token: "listed"))
        #expect(listed.filter == (try MonitorFilter(monlist: "1,2", intlist: "0,60")))
        #expect(try await store.device(token: "garbled")?.filter == .all)
    }
}
