import Foundation
import Model

/// `zmes store copy`: everything a running server needs, from one store to another (an SQLite
/// install to PostgreSQL, or back), through the ``Store`` protocol alone so it works between any two.
///
/// Copied: users (password hash, monitors, admin flag, creation time), devices (filter, badge,
/// push state, app version, their times), credentials (with broken marks and the cached APNs
/// provider token), secrets (the picture signing key), the mutes in force, the last ZoneMinder
/// event notified per monitor, and the outbox jobs still pending (queued or retrying, unclaimed).
/// Not copied: delivered and failed pushes (history), the per-device last-notification rows (the
/// next alarm of a monitor notifies every device once) and the cached ZoneMinder permissions (each
/// ZoneMinder user's next login fills them again).
public enum StoreCopy {
    /// How many of each kind were copied.
    public struct Counts: Sendable, Equatable, CustomStringConvertible {
        public var users = 0
        public var devices = 0
        public var credentials = 0
        public var secrets = 0
        public var mutes = 0
        public var lastEvents = 0
        public var pendingPushes = 0

        public init() {}

        public var description: String {
            func count(_ number: Int, _ one: String, _ many: String) -> String { "\(number) \(number == 1 ? one : many)" }
            return "copied " + [
                count(users, "user", "users"), count(devices, "device", "devices"), count(credentials, "credential", "credentials"),
                count(secrets, "secret", "secrets"), count(mutes, "mute", "mutes"),
                count(lastEvents, "monitor's last event", "monitors' last events"),
                count(pendingPushes, "pending push", "pending pushes"),
            ].joined(separator: ", ")
        }
    }

    /// The target is not empty: nothing was written.
    public struct TargetNotEmpty: Error, Sendable, Equatable, CustomStringConvertible {
        /// What the target holds, e.g. `["3 users", "1 pending or finished push"]`.
        public var holds: [String]
        public var description: String {
            "the target store is not empty (it holds \(holds.joined(separator: ", "))): zmes store copy writes only into an empty store; nothing was written"
        }
    }

    /// What `store` holds of the kinds that make it not empty: users, devices, credentials, outbox rows.
    public static func contents(of store: any Store) async throws -> [String] {
        var holds: [String] = []
        let users = try await store.userCount()
        if users > 0 { holds.append("\(users) user\(users == 1 ? "" : "s")") }
        let devices = try await store.devices().count
        if devices > 0 { holds.append("\(devices) device\(devices == 1 ? "" : "s")") }
        let credentials = try await store.credentials().count
        if credentials > 0 { holds.append("\(credentials) credential\(credentials == 1 ? "" : "s")") }
        let jobs = try await store.outboxCounts().values.reduce(0, +)
        if jobs > 0 { holds.append("\(jobs) outbox job\(jobs == 1 ? "" : "s")") }
        return holds
    }

    /// Copies `source` into `target`, which must be empty (``TargetNotEmpty`` otherwise, before any write).
    /// Devices and pending pushes are each written in one transaction; a copy that stops midway
    /// leaves a partial target, which the next attempt refuses: empty it (or make a new database) first.
    public static func copy(from source: any Store, to target: any Store, at now: Date = Date()) async throws -> Counts {
        let holds = try await contents(of: target)
        guard holds.isEmpty else { throw TargetNotEmpty(holds: holds) }
        var counts = Counts()

        for user in try await source.users() {
            try await target.saveUser(user)
            counts.users += 1
        }

        let devices = try await source.devices()
        try await target.copyDevices(devices)
        counts.devices = devices.count

        for credential in try await source.credentials() {
            try await target.saveCredential(name: credential.name, provider: credential.provider, body: credential.body, at: credential.updatedAt)
            if let reason = credential.brokenReason {
                try await target.markCredentialBroken(name: credential.name, reason: reason, at: credential.brokenAt ?? now)
            }
            if let token = try await source.providerToken(credential: credential.name) {
                try await target.saveProviderToken(credential: credential.name, token: token.token, issuedAt: token.issuedAt)
            }
            counts.credentials += 1
        }

        for (name, value) in try await source.secrets() {
            _ = try await target.secret(named: name) { value }
            counts.secrets += 1
        }

        for mute in try await source.monitorMutes(at: now).values {
            try await target.muteMonitor(mute.monitorId, until: mute.until, at: mute.setAt)
            counts.mutes += 1
        }

        for (monitor, event) in try await source.lastNotifiedEvents() {
            try await target.saveLastNotifiedEvent(monitor: monitor, event: event, at: now)
            counts.lastEvents += 1
        }

        let limit = Int(Int32.max)
        let pending = try await source.pushJobs(state: .queued, limit: limit) + source.pushJobs(state: .retrying, limit: limit)
        // Oldest first, so the new ids keep the order the jobs were made in.
        try await target.importPendingJobs(pending.sorted { $0.id < $1.id })
        counts.pendingPushes = pending.count
        return counts
    }
}
