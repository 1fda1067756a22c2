import Foundation
import Model
import PostgresNIO

extension PostgresStore {
    @discardableResult
    public func register(_ registration: DeviceRegistration, at now: Date) async throws -> Device {
        try await transaction { connection in try await upsert(registration, at: now, connection) }
    }

    public func register(contentsOf registrations: [DeviceRegistration], at now: Date) async throws {
        try await transaction { connection in
            for registration in registrations { _ = try await upsert(registration, at: now, connection) }
        }
    }

    public func importDevices(_ devices: [(registration: DeviceRegistration, badge: Int)], at now: Date) async throws {
        try await transaction { connection in
            for device in devices {
                _ = try await upsert(device.registration, at: now, connection)
                try await connection.rows(
                    "UPDATE devices SET badge = \(BadgeCount.clamped(device.badge)) WHERE token = \(device.registration.token)", logger: logger)
            }
        }
    }

    public func copyDevices(_ devices: [Device]) async throws {
        try await transaction { connection in
            for device in devices {
                let registration = DeviceRegistration(
                    token: device.token, user: device.user, platform: device.platform, state: device.state, filter: device.filter,
                    appVersion: device.appVersion)
                _ = try await upsert(registration, at: device.updatedAt, connection)
                try await connection.rows(
                    """
                    UPDATE devices SET badge = \(BadgeCount.clamped(device.badge)), created_at = \(device.createdAt.storeValue),
                        updated_at = \(device.updatedAt.storeValue), last_push_at = \(device.lastPushAt?.storeValue)::float8
                    WHERE token = \(device.token)
                    """, logger: logger)
            }
        }
    }

    /// The registration's row, inserted or updated; the row is locked first so two instances
    /// registering one token one after the other keep each other's lists.
    private func upsert(_ registration: DeviceRegistration, at now: Date, _ connection: PostgresConnection) async throws -> Device {
        let existing = try await connection.rows(
            "SELECT \(unescaped: Device.postgresColumns) FROM devices WHERE token = \(registration.token) FOR UPDATE", logger: logger
        ).first.map(Device.init(postgres:))
        let filter = registration.filter ?? existing?.filter ?? .all
        let appVersion = registration.appVersion.isEmpty ? (existing?.appVersion ?? "") : registration.appVersion
        let rows = try await connection.rows(
            """
            INSERT INTO devices (token, "user", platform, state, monlist, intlist, badge, appversion, created_at, updated_at)
            VALUES (\(registration.token), \(registration.user), \(registration.platform.rawValue), \(registration.state.rawValue),
                \(filter.monlist), \(filter.intlist), 0, \(appVersion), \(now.storeValue), \(now.storeValue))
            ON CONFLICT (token) DO UPDATE SET "user" = excluded."user", platform = excluded.platform,
                state = excluded.state, monlist = excluded.monlist, intlist = excluded.intlist,
                appversion = excluded.appversion, updated_at = excluded.updated_at
            RETURNING \(unescaped: Device.postgresColumns)
            """, logger: logger)
        try await writeMonitors(filter, token: registration.token, connection)
        return try Device(postgres: rows[0])
    }

    /// `device_monitors` for the token: one row per listed monitor, none for every monitor (as `DeviceMonitors`).
    func writeMonitors(_ filter: MonitorFilter, token: String, _ connection: PostgresConnection) async throws {
        try await connection.rows("DELETE FROM device_monitors WHERE token = \(token)", logger: logger)
        guard let monitors = filter.intervals?.keys, !monitors.isEmpty else { return }
        try await connection.rows(
            """
            INSERT INTO device_monitors (monitor_id, token)
            SELECT m, \(token) FROM unnest(\(monitors.map { Int64($0) })::bigint[]) AS m ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func device(token: String) async throws -> Device? {
        try await rows("SELECT \(unescaped: Device.postgresColumns) FROM devices WHERE token = \(token)").first.map(Device.init(postgres:))
    }

    public func devices() async throws -> [Device] {
        try await rows(#"SELECT \#(unescaped: Device.postgresColumns) FROM devices ORDER BY "user", created_at"#).map(Device.init(postgres:))
    }

    public func devices(watching monitorId: Int) async throws -> [Device] {
        try await rows(
            """
            SELECT \(unescaped: Device.postgresColumns) FROM devices WHERE monlist = ''
            UNION ALL
            SELECT \(unescaped: Device.postgresColumns(of: "d")) FROM device_monitors m JOIN devices d ON d.token = m.token
            WHERE m.monitor_id = \(monitorId)
            ORDER BY 2, 9
            """
        ).map(Device.init(postgres:))
    }

    public func deviceOwners(among tokens: Set<String>) async throws -> [String: String] {
        guard !tokens.isEmpty else { return [:] }
        var owners: [String: String] = [:]
        for row in try await rows(#"SELECT token, "user" FROM devices WHERE token = ANY(\#(Array(tokens)))"#) {
            let (token, user) = try row.decode((String, String).self)
            owners[token] = user
        }
        return owners
    }

    public func tokensNeverPushed(among tokens: Set<String>) async throws -> Set<String> {
        guard !tokens.isEmpty else { return [] }
        return Set(
            try await rows("SELECT token FROM devices WHERE token = ANY(\(Array(tokens))) AND last_push_at IS NULL").map {
                try $0.decode(String.self)
            })
    }

    @discardableResult
    public func setFilter(_ filter: MonitorFilter, token: String) async throws -> Bool {
        try await transaction { connection in
            let changed = try await connection.rows(
                """
                UPDATE devices SET monlist = \(filter.monlist), intlist = \(filter.intlist), updated_at = \(Date().storeValue)
                WHERE token = \(token) RETURNING 1
                """, logger: logger)
            guard !changed.isEmpty else { return false }
            try await writeMonitors(filter, token: token, connection)
            return true
        }
    }

    @discardableResult
    public func setBadge(_ badge: Int, token: String) async throws -> Bool {
        try await !rows("UPDATE devices SET badge = \(BadgeCount.clamped(badge)) WHERE token = \(token) RETURNING 1").isEmpty
    }

    @discardableResult
    public func setPushState(_ state: PushState, token: String) async throws -> Bool {
        try await !rows(
            "UPDATE devices SET state = \(state.rawValue), updated_at = \(Date().storeValue) WHERE token = \(token) RETURNING 1"
        ).isEmpty
    }

    @discardableResult
    public func removeDevice(token: String) async throws -> Bool {
        try await !rows("DELETE FROM devices WHERE token = \(token) RETURNING 1").isEmpty
    }
}

extension Device {
    static let postgresColumns = postgresColumns(of: nil)

    static func postgresColumns(of alias: String?) -> String {
        let prefix = alias.map { $0 + "." } ?? ""
        return ["token", #""user""#, "platform", "state", "monlist", "intlist", "badge", "appversion", "created_at", "updated_at", "last_push_at"]
            .map { prefix + $0 }.joined(separator: ", ")
    }

    init(postgres row: PostgresRow) throws {
        let (token, user, platform, state, monlist, intlist, badge, appVersion, createdAt, updatedAt, lastPush) = try row.decode(
            (String, String, String, String, String, String, Int, String, Double, Double, Double?).self)
        self.init(
            token: token, user: user, platform: Platform(rawValue: platform) ?? .android, state: PushState(rawValue: state) ?? .enabled,
            filter: (try? MonitorFilter(monlist: monlist, intlist: intlist)) ?? .all, badge: BadgeCount.clamped(badge),
            appVersion: appVersion, createdAt: Date(storeValue: createdAt), updatedAt: Date(storeValue: updatedAt),
            lastPushAt: lastPush.map(Date.init(storeValue:)))
    }
}
