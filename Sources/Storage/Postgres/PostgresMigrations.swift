import Logging
import PostgresNIO

/// The PostgreSQL schema, one migration per version, applied in order and recorded in
/// `zmes_migrations`. Never edit a shipped migration; add one.
///
/// All run in one transaction under a transaction-scoped advisory lock, so two instances that
/// start together do not both migrate: the second waits, then finds the versions recorded.
///
/// The tables are SQLite's (`Migrations.swift`) as they stand after its last migration, with
/// PostgreSQL types: `bigint` ids and counts, `double precision` seconds since 1970 for times,
/// `boolean` flags, `bytea` secrets; the outbox has `claimed_by` (the instance that holds a claim).
/// Names are compared byte by byte (`COLLATE "C"`), as SQLite does, so lists come out in the same
/// order whatever the database's locale.
/// SQLite's trigger-kept `outbox_counts` is left out: with several writers its rows would be the
/// hottest in the database, and `GROUP BY state` over the bounded outbox is cheap.
enum PostgresMigrations {
    /// The advisory lock key: "zmes" in ASCII, so it does not collide with an application's own keys by chance.
    static let lockKey: Int64 = 0x7A6D_6573

    static let versions: [(name: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE users (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    password_hash TEXT NOT NULL,
                    monitors TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    admin BOOLEAN NOT NULL DEFAULT FALSE
                )
                """,
                """
                CREATE TABLE devices (
                    token TEXT PRIMARY KEY,
                    "user" TEXT COLLATE "C" NOT NULL,
                    platform TEXT NOT NULL,
                    state TEXT NOT NULL,
                    monlist TEXT NOT NULL DEFAULT '',
                    intlist TEXT NOT NULL DEFAULT '',
                    badge BIGINT NOT NULL DEFAULT 0,
                    appversion TEXT NOT NULL DEFAULT '',
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    last_push_at DOUBLE PRECISION
                )
                """,
                #"CREATE INDEX devices_user ON devices ("user", created_at)"#,
                "CREATE INDEX devices_all_monitors ON devices (token) WHERE monlist = ''",
                """
                CREATE TABLE device_monitors (
                    monitor_id BIGINT NOT NULL,
                    token TEXT NOT NULL REFERENCES devices (token) ON DELETE CASCADE,
                    PRIMARY KEY (monitor_id, token)
                )
                """,
                "CREATE INDEX device_monitors_token ON device_monitors (token)",
                """
                CREATE TABLE notifications (
                    token TEXT NOT NULL REFERENCES devices (token) ON DELETE CASCADE,
                    monitor_id BIGINT NOT NULL,
                    event_id BIGINT NOT NULL,
                    occurrence BIGINT NOT NULL DEFAULT 0,
                    notified_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (token, monitor_id)
                )
                """,
                """
                CREATE TABLE outbox (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    token TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at DOUBLE PRECISION NOT NULL,
                    last_error TEXT,
                    claimed_at DOUBLE PRECISION,
                    claimed_by TEXT,
                    monitor_id BIGINT NOT NULL,
                    monitor_name TEXT NOT NULL,
                    event_id BIGINT NOT NULL,
                    cause TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    alarm_time DOUBLE PRECISION NOT NULL,
                    source TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    badge BIGINT,
                    replayed_at DOUBLE PRECISION,
                    finished_at DOUBLE PRECISION,
                    critical BOOLEAN NOT NULL DEFAULT FALSE,
                    detection TEXT
                )
                """,
                "CREATE INDEX outbox_token ON outbox (token)",
                "CREATE INDEX outbox_state ON outbox (state)",
                """
                CREATE INDEX outbox_claimable ON outbox (next_attempt_at, id)
                    WHERE state IN ('queued', 'retrying') AND claimed_at IS NULL
                """,
                "CREATE INDEX outbox_claimed ON outbox (claimed_at) WHERE claimed_at IS NOT NULL",
                "CREATE INDEX outbox_finished ON outbox (finished_at) WHERE state IN ('delivered', 'failed')",
                """
                CREATE TABLE credentials (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    provider TEXT COLLATE "C" NOT NULL,
                    body TEXT NOT NULL,
                    broken_reason TEXT,
                    broken_at DOUBLE PRECISION,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL,
                    provider_token TEXT,
                    provider_token_issued_at DOUBLE PRECISION
                )
                """,
                """
                CREATE TABLE remote_users (
                    name TEXT PRIMARY KEY,
                    monitors TEXT,
                    verified_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE monitor_events (
                    monitor_id BIGINT PRIMARY KEY,
                    last_event_id BIGINT NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE monitor_mutes (
                    monitor_id BIGINT PRIMARY KEY,
                    until DOUBLE PRECISION NOT NULL,
                    set_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
            ]
        )
    ]

    /// Applies the versions not yet recorded, in one transaction under the advisory lock.
    static func migrate(client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.rows("BEGIN", logger: logger)
            do {
                try await connection.rows("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.rows(
                    "CREATE TABLE IF NOT EXISTS zmes_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
                var applied = Set<String>()
                for row in try await connection.rows("SELECT name FROM zmes_migrations", logger: logger) {
                    applied.insert(try row.decode(String.self))
                }
                for version in versions where !applied.contains(version.name) {
                    for statement in version.statements {
                        try await connection.rows(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.rows("INSERT INTO zmes_migrations (name) VALUES (\(version.name))", logger: logger)
                    logger.info("store migrated", metadata: ["version": "\(version.name)"])
                }
                try await connection.rows("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.rows("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
