import GRDB

/// The schema, one migration per version. Never edit a shipped migration; add one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY NOT NULL,
                    password_hash TEXT NOT NULL,
                    monitors TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE devices (
                    token TEXT PRIMARY KEY NOT NULL,
                    user TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    state TEXT NOT NULL,
                    monlist TEXT NOT NULL DEFAULT '',
                    intlist TEXT NOT NULL DEFAULT '',
                    badge INTEGER NOT NULL DEFAULT 0,
                    appversion TEXT NOT NULL DEFAULT '',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    last_push_at REAL
                );
                CREATE TABLE notifications (
                    token TEXT NOT NULL REFERENCES devices(token) ON DELETE CASCADE,
                    monitor_id INTEGER NOT NULL,
                    event_id INTEGER NOT NULL,
                    notified_at REAL NOT NULL,
                    PRIMARY KEY (token, monitor_id)
                );
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    token TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    claimed_at REAL,
                    monitor_id INTEGER NOT NULL,
                    monitor_name TEXT NOT NULL,
                    event_id INTEGER NOT NULL,
                    cause TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    alarm_time REAL NOT NULL,
                    source TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                """)
        }
        return migrator
    }
}
