import GRDB

/// The schema, one migration per version. Never edit a shipped migration; add one.
/// The outbox's tables, columns and indexes are listed by migration in `Outbox/Outbox.swift`.
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
        migrator.registerMigration("v2-dispatcher") { db in
            try db.execute(sql: """
                CREATE TABLE credentials (
                    name TEXT PRIMARY KEY NOT NULL,
                    provider TEXT NOT NULL,
                    body TEXT NOT NULL,
                    broken_reason TEXT,
                    broken_at REAL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                ALTER TABLE outbox ADD COLUMN badge INTEGER;
                ALTER TABLE outbox ADD COLUMN replayed_at REAL;
                ALTER TABLE outbox ADD COLUMN finished_at REAL;
                CREATE INDEX outbox_token ON outbox(token);
                """)
        }
        migrator.registerMigration("v3-provider-tokens") { db in
            try db.execute(sql: """
                ALTER TABLE credentials ADD COLUMN provider_token TEXT;
                ALTER TABLE credentials ADD COLUMN provider_token_issued_at REAL;
                """)
        }
        migrator.registerMigration("v4-zoneminder") { db in
            try db.execute(sql: """
                CREATE TABLE remote_users (
                    name TEXT PRIMARY KEY NOT NULL,
                    monitors TEXT,
                    verified_at REAL NOT NULL
                );
                CREATE TABLE monitor_events (
                    monitor_id INTEGER PRIMARY KEY NOT NULL,
                    last_event_id INTEGER NOT NULL,
                    updated_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5-device-monitors") { db in
            try DeviceMonitors.create(db)
        }
        migrator.registerMigration("v6-outbox-claim-index") { db in
            // The claim walks due jobs in order through this index instead of sorting every
            // queued row on each claim; rows leave it as they are claimed or finished.
            try db.execute(sql: """
                CREATE INDEX outbox_claimable ON outbox(next_attempt_at, id)
                    WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL;
                """)
        }
        migrator.registerMigration("v7-notification-occurrence") { db in
            // Record/Mocord events hold several alarms: the notification remembers which one.
            try db.execute(sql: "ALTER TABLE notifications ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v8-claim-lease") { db in
            // Claims older than the lease are released by a periodic sweep: this index keeps
            // the sweep to the rows claimed right now, not the whole outbox.
            try db.execute(sql: "CREATE INDEX outbox_claimed ON outbox(claimed_at) WHERE claimed_at IS NOT NULL;")
        }
        migrator.registerMigration("v9-outbox-retention") { db in
            try OutboxRetentionSchema.create(db)
        }
        migrator.registerMigration("v10-monitor-mutes") { db in
            // `zmes monitor mute`: a monitor sends nothing until `until`; a rule's `critical` travels with the job.
            try db.execute(sql: """
                CREATE TABLE monitor_mutes (
                    monitor_id INTEGER PRIMARY KEY,
                    until REAL NOT NULL,
                    set_at REAL NOT NULL
                );
                ALTER TABLE outbox ADD COLUMN critical INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v11-alarm-detection") { db in
            // A detection hook's result travels with the job (the text in the push, the frame of its picture),
            // as JSON of `Detection`; NULL when no hook ran.
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN detection TEXT")
        }
        migrator.registerMigration("v12-secrets") { db in
            // Keys zmes makes for itself (the pictures' signing key): in the store, whose file only zmes can read.
            try db.execute(sql: "CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
        }
        migrator.registerMigration("v13-user-admin") { db in
            // Operators: local users who may open the console (`zmes user add NAME --admin`).
            try db.execute(sql: "ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }
}
