import Foundation
import GRDB
import Model

extension SQLiteStore {
    /// Registers a token or updates the device that has it: never a duplicate.
    @discardableResult
    public func register(_ registration: DeviceRegistration, at now: Date) async throws -> Device {
        try await pool.write { db in try Self.upsert(registration, at: now, db) }
    }

    /// Registers many tokens in one transaction (token import, benchmarks): all or none.
    public func register(contentsOf registrations: [DeviceRegistration], at now: Date) async throws {
        try await pool.write { db in
            for registration in registrations {
                _ = try Self.upsert(registration, at: now, db)
            }
        }
    }

    /// Registers imported devices with their badge counts in one transaction: all or none, and
    /// one sync to disk for a whole tokens.txt rather than two per device.
    public func importDevices(_ devices: [(registration: DeviceRegistration, badge: Int)], at now: Date) async throws {
        try await pool.write { db in
            let setBadge = try db.cachedStatement(sql: "UPDATE devices SET badge = ? WHERE token = ?")
            for device in devices {
                _ = try Self.upsert(device.registration, at: now, db)
                try setBadge.execute(arguments: [BadgeCount.clamped(device.badge), device.registration.token])
            }
        }
    }

    public func copyDevices(_ devices: [Device]) async throws {
        try await pool.write { db in
            let times = try db.cachedStatement(
                sql: "UPDATE devices SET badge = ?, created_at = ?, updated_at = ?, last_push_at = ? WHERE token = ?")
            for device in devices {
                let registration = DeviceRegistration(
                    token: device.token, user: device.user, platform: device.platform, state: device.state, filter: device.filter,
                    appVersion: device.appVersion)
                _ = try Self.upsert(registration, at: device.updatedAt, db)
                try times.execute(arguments: [
                    BadgeCount.clamped(device.badge), device.createdAt.storeValue, device.updatedAt.storeValue,
                    device.lastPushAt?.storeValue, device.token,
                ])
            }
        }
    }

    private static func upsert(_ registration: DeviceRegistration, at now: Date, _ db: Database) throws -> Device {
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Device.columns) FROM devices WHERE token = ?"), arguments: [registration.token]
        ).map(Device.init(row:))
        let filter = registration.filter ?? existing?.filter ?? .all
        let appVersion = registration.appVersion.isEmpty ? (existing?.appVersion ?? "") : registration.appVersion
        try db.cachedStatement(
            sql: """
                INSERT INTO devices (token, user, platform, state, monlist, intlist, badge, appversion, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
                ON CONFLICT(token) DO UPDATE SET user = excluded.user, platform = excluded.platform,
                    state = excluded.state, monlist = excluded.monlist, intlist = excluded.intlist,
                    appversion = excluded.appversion, updated_at = excluded.updated_at
                """
        ).execute(arguments: [
            registration.token, registration.user, registration.platform.rawValue, registration.state.rawValue,
            filter.monlist, filter.intlist, appVersion, now.storeValue, now.storeValue,
        ])
        try DeviceMonitors.write(filter, token: registration.token, db)
        return try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Device.columns) FROM devices WHERE token = ?"), arguments: [registration.token]
        ).map(Device.init(row:))!
    }

    public func device(token: String) async throws -> Device? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Device.columns) FROM devices WHERE token = ?", arguments: [token]).map(Device.init(row:))
        }
    }

    public func devices() async throws -> [Device] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Device.columns) FROM devices ORDER BY user, created_at").map(Device.init(row:))
        }
    }

    /// The devices an alarm on `monitorId` may concern: those whose list names the
    /// monitor and those with an empty list (every monitor), in the order of `devices()`.
    ///
    /// Two indexed lookups (`device_monitors` and `devices_all_monitors`), so the cost
    /// grows with these devices, not with every device registered.
    public func devices(watching monitorId: Int) async throws -> [Device] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.devicesWatchingSQL), arguments: [monitorId]).map(Device.init(row:))
        }
    }

    /// Built once: `devices(watching:)` runs for every alarm.
    private static let devicesWatchingSQL = """
        SELECT \(Device.columns) FROM devices WHERE monlist = ''
        UNION ALL
        SELECT \(Device.columns(of: "d")) FROM device_monitors m JOIN devices d ON d.token = m.token WHERE m.monitor_id = ?
        ORDER BY user, created_at
        """

    /// Which of `tokens` belong to a registered device, with each device's owner (one indexed lookup each).
    public func deviceOwners(among tokens: Set<String>) async throws -> [String: String] {
        try await lookUp(tokens, "SELECT user FROM devices WHERE token = ?") { row in row[0] as String }
    }

    /// Which of `tokens` belong to a device that never had a push delivered.
    public func tokensNeverPushed(among tokens: Set<String>) async throws -> Set<String> {
        guard !tokens.isEmpty else { return [] }
        return try await pool.read { db in
            let lookup = try db.cachedStatement(sql: "SELECT 1 FROM devices WHERE token = ? AND last_push_at IS NULL")
            var found = Set<String>()
            for token in tokens {
                if try Bool.fetchOne(lookup, arguments: [token]) == true { found.insert(token) }
            }
            return found
        }
    }

    /// Sets the device's monitor lists; returns false when no such device exists.
    @discardableResult
    public func setFilter(_ filter: MonitorFilter, token: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE devices SET monlist = ?, intlist = ?, updated_at = ? WHERE token = ?",
                arguments: [filter.monlist, filter.intlist, Date().storeValue, token])
            guard db.changesCount > 0 else { return false }
            try DeviceMonitors.write(filter, token: token, db)
            return true
        }
    }

    /// Sets the stored badge count (held within `BadgeCount.range`); the next push carries this plus one.
    @discardableResult
    public func setBadge(_ badge: Int, token: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE devices SET badge = ? WHERE token = ?", arguments: [BadgeCount.clamped(badge), token])
            return db.changesCount > 0
        }
    }

    /// Turns the device's pushes on or off (`disabled`: its alarms go over its websocket only);
    /// returns false when no such device exists.
    @discardableResult
    public func setPushState(_ state: PushState, token: String) async throws -> Bool {
        try await writeCountingChanges(
            "UPDATE devices SET state = ?, updated_at = ? WHERE token = ?", arguments: [state.rawValue, Date().storeValue, token]) > 0
    }

    @discardableResult
    public func removeDevice(token: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM devices WHERE token = ?", arguments: [token])
            return db.changesCount > 0
        }
    }
}

extension Device: PositionalColumns {
    /// The columns `init(row:)` reads, in its order (11 by-name lookups per device showed in
    /// profiles of an alarm for 20,000 devices).
    static let columns = "token, user, platform, state, monlist, intlist, badge, appversion, created_at, updated_at, last_push_at"

    /// A row selected with `columns`.
    init(row: Row) {
        let monlist: String = row[4]
        let intlist: String = row[5]
        let lastPush: Double? = row[10]
        self.init(
            token: row[0],
            user: row[1],
            platform: Platform(rawValue: row[2]) ?? .android,
            state: PushState(rawValue: row[3]) ?? .enabled,
            filter: (try? MonitorFilter(monlist: monlist, intlist: intlist)) ?? .all,
            badge: StoredBadge.read(row[6]),
            appVersion: row[7],
            createdAt: Date(storeValue: row[8]),
            updatedAt: Date(storeValue: row[9]),
            lastPushAt: lastPush.map(Date.init(storeValue:)))
    }
}
