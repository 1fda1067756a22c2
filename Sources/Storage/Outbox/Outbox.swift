/// The outbox: one row per push to send, written with the alarm and kept until delivered,
/// dead-lettered and past `push.retention`. Every operation on it is in this folder, one file
/// each, and both `zmes push` and the admin API's `/api/v1/pushes` go through them:
///
/// - enqueue: `SQLiteStore+Enqueue.swift` (with the last-notified times, in one transaction)
/// - claim, with attempt count and badge: `SQLiteStore+Claim.swift`; the claim lease: `SQLiteStore+ReleaseClaims.swift`
/// - record outcomes: `SQLiteStore+RecordOutcomes.swift`
/// - expire (`push.max_age`): `SQLiteStore+Expire.swift`; retention (`push.retention`): `SQLiteStore+Retention.swift`
/// - replay: `SQLiteStore+Replay.swift`
/// - list and count: `SQLiteStore+List.swift`, as shown to operators: `PushJobListing.swift`
/// - rows to ``PushJob``: `PushJob+Row.swift`
///
/// The schema is in `Migrations.swift` (never edited once shipped): the `outbox` table (`v1`),
/// its `badge`, `replayed_at` and `finished_at` columns and `outbox_token` index (`v2-dispatcher`),
/// the claim index `outbox_claimable` (`v6-outbox-claim-index`), the lease index `outbox_claimed`
/// (`v8-claim-lease`), the retention index and per-state counts (`v9-outbox-retention`,
/// ``OutboxRetentionSchema``), and the `critical` column (`v10-monitor-mutes`).
enum Outbox {}
