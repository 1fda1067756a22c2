import GRDB

/// What keeps the outbox bounded and its per-state counts cheap.
///
/// - `outbox_counts`: one row per state, kept by triggers on every insert, delete and change of
///   state, so `/metrics` reads a handful of rows instead of counting the outbox at each scrape.
///   A trigger costs one primary-key update per changed row, in the transaction that changes it.
/// - `outbox_finished`: finished rows by the time they finished, for the retention sweep.
enum OutboxRetentionSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            UPDATE outbox SET finished_at = created_at WHERE finished_at IS NULL AND state IN ('delivered', 'failed');
            CREATE INDEX outbox_finished ON outbox(finished_at) WHERE state IN ('delivered', 'failed');
            CREATE TABLE outbox_counts (
                state TEXT PRIMARY KEY NOT NULL,
                n INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            INSERT INTO outbox_counts (state, n) SELECT state, COUNT(*) FROM outbox GROUP BY state;
            CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN
                INSERT INTO outbox_counts (state, n) VALUES (NEW.state, 1)
                    ON CONFLICT(state) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER outbox_counts_delete AFTER DELETE ON outbox BEGIN
                UPDATE outbox_counts SET n = n - 1 WHERE state = OLD.state;
            END;
            CREATE TRIGGER outbox_counts_update AFTER UPDATE OF state ON outbox WHEN OLD.state IS NOT NEW.state BEGIN
                UPDATE outbox_counts SET n = n - 1 WHERE state = OLD.state;
                INSERT INTO outbox_counts (state, n) VALUES (NEW.state, 1)
                    ON CONFLICT(state) DO UPDATE SET n = n + 1;
            END;
            """)
    }
}
