import GRDB
import Model

/// The monitor index of devices, so routing an alarm reads only the devices that
/// want its monitor instead of every device.
///
/// `devices.monlist` stays the truth that clients and the CLI see. Beside it,
/// `device_monitors` holds one `(monitor_id, token)` row per listed monitor of a
/// device with a non-empty list, written in the same transaction as the list.
/// A device with an empty list (every monitor) has no rows there; the partial
/// index `devices_all_monitors` finds those, so watching every monitor costs one
/// index entry, not one per monitor. Deleting a device removes its rows through
/// the foreign key, whoever deletes it.
enum DeviceMonitors {
    /// Creates the index tables and fills them from the devices already stored.
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE device_monitors (
                monitor_id INTEGER NOT NULL,
                token TEXT NOT NULL REFERENCES devices(token) ON DELETE CASCADE,
                PRIMARY KEY (monitor_id, token)
            ) WITHOUT ROWID;
            CREATE INDEX device_monitors_token ON device_monitors(token);
            CREATE INDEX devices_all_monitors ON devices(token) WHERE monlist = '';
            """)
        let rows = try Row.fetchAll(db, sql: "SELECT token, monlist, intlist FROM devices")
        for row in rows {
            let token: String = row["token"]
            let monlist: String = row["monlist"]
            // A blank or unreadable list has always been read as every monitor; store it as ''
            // so the partial index finds it.
            let filter = (try? MonitorFilter(monlist: monlist, intlist: row["intlist"])) ?? .all
            if filter.intervals == nil && !monlist.isEmpty {
                try db.execute(sql: "UPDATE devices SET monlist = '', intlist = '' WHERE token = ?", arguments: [token])
            }
            try write(filter, token: token, db)
        }
    }

    /// Replaces the token's rows with the monitors of `filter` (none when it means every monitor).
    static func write(_ filter: MonitorFilter, token: String, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM device_monitors WHERE token = ?").execute(arguments: [token])
        guard let monitors = filter.intervals?.keys else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO device_monitors (monitor_id, token) VALUES (?, ?)")
        for monitor in monitors {
            try insert.execute(arguments: [monitor, token])
        }
    }
}
