import Foundation
import Model

/// Everything zmes keeps: users, devices, last-notified times, credentials and the outbox.
///
/// Two implementations with the same behaviour: ``SQLiteStore`` (one file, one machine; the CLI
/// and `zmes serve` share it through WAL) and ``PostgresStore`` (one database that several
/// `zmes serve` share). The code above the store sees only this protocol, so neither drifts;
/// the storage tests run every case against both. Open the configured one with ``withStore(_:logger:_:)``.
///
/// Requirements take every argument; the overloads in the extension below supply the defaults
/// (`now` is the current time), since a protocol requirement cannot have default arguments.
public protocol Store: Sendable {
    /// A cheap query that proves the store answers, for health checks.
    func isHealthy() async -> Bool
    /// How this instance works beside the others on the same store: alarms told to them, and the work
    /// only one may do at a time (``SingleInstance`` on SQLite).
    var coordination: any InstanceCoordination { get }

    // MARK: Users

    /// Creates the user or replaces its password, monitors and admin flag.
    func saveUser(_ user: User) async throws
    func user(named name: String) async throws -> User?
    func users() async throws -> [User]
    /// The users among `names` that exist, sorted by name, for the router.
    func users(named names: Set<String>) async throws -> [User]
    func userCount() async throws -> Int
    /// Removes the user and the devices it registered; throws ``StoreError/unknownUser(_:)``.
    func removeUser(named name: String) async throws

    // MARK: Devices

    /// Registers a token or updates the device that has it: never a duplicate.
    @discardableResult
    func register(_ registration: DeviceRegistration, at now: Date) async throws -> Device
    /// Registers many tokens in one transaction: all or none.
    func register(contentsOf registrations: [DeviceRegistration], at now: Date) async throws
    /// Registers imported devices with their badge counts in one transaction: all or none.
    func importDevices(_ devices: [(registration: DeviceRegistration, badge: Int)], at now: Date) async throws
    /// Adds devices as another store held them (filter, badge, app version, registration, update and
    /// last-push times) in one transaction: all or none. For `zmes store copy`.
    func copyDevices(_ devices: [Device]) async throws
    func device(token: String) async throws -> Device?
    /// Every device, by owner then registration time.
    func devices() async throws -> [Device]
    /// The devices whose list names `monitorId` or is empty (every monitor), in the order of `devices()`.
    func devices(watching monitorId: Int) async throws -> [Device]
    /// Which of `tokens` belong to a registered device, with each device's owner.
    func deviceOwners(among tokens: Set<String>) async throws -> [String: String]
    /// Which of `tokens` belong to a device that never had a push delivered.
    func tokensNeverPushed(among tokens: Set<String>) async throws -> Set<String>
    @discardableResult
    func setFilter(_ filter: MonitorFilter, token: String) async throws -> Bool
    /// Sets the stored badge count, held within `BadgeCount.range`.
    @discardableResult
    func setBadge(_ badge: Int, token: String) async throws -> Bool
    @discardableResult
    func setPushState(_ state: PushState, token: String) async throws -> Bool
    @discardableResult
    func removeDevice(token: String) async throws -> Bool

    // MARK: Credentials

    /// Adds or replaces a credential; registering it again clears a broken mark and the provider token.
    func saveCredential(name: String, provider: PushProvider, body: Data, at now: Date) async throws
    /// Every credential, by provider then name.
    func credentials() async throws -> [StoredCredential]
    @discardableResult
    func removeCredential(name: String) async throws -> Bool
    /// The provider refused the credential: it is not used again until the operator acts.
    func markCredentialBroken(name: String, reason: String, at now: Date) async throws
    func clearCredentialBroken(name: String) async throws
    /// Names of the credentials currently marked broken, with the reason.
    func brokenCredentials() async throws -> [String: String]
    /// The APNs provider token last signed with a credential's key.
    func providerToken(credential name: String) async throws -> (token: String, issuedAt: Date)?
    func saveProviderToken(credential name: String, token: String, issuedAt: Date) async throws

    // MARK: ZoneMinder, mutes, secrets

    /// What a ZoneMinder user may see, from their last successful login.
    func saveRemotePermissions(user: String, monitors: MonitorSet, at now: Date) async throws
    /// What the users among `names` may see, for those verified at or after `since`.
    func remotePermissions(users names: Set<String>, verifiedSince since: Date) async throws -> [String: MonitorSet]
    /// Every user verified at or after `since`, with what they may see.
    func remotePermissions(verifiedSince since: Date) async throws -> [String: MonitorSet]
    /// The users last verified before `date`, oldest first.
    func remoteUsers(verifiedBefore date: Date) async throws -> [String]
    func removeRemotePermissions(user: String) async throws
    /// The last ZoneMinder event notified per monitor.
    func lastNotifiedEvents() async throws -> [Int: Int]
    func saveLastNotifiedEvent(monitor: Int, event: Int, at now: Date) async throws
    /// Mutes the monitor until `until`, replacing an earlier mute of it.
    func muteMonitor(_ monitorId: Int, until: Date, at now: Date) async throws
    @discardableResult
    func unmuteMonitor(_ monitorId: Int) async throws -> Bool
    /// The mutes in force at `now`, by monitor id.
    func monitorMutes(at now: Date) async throws -> [Int: MonitorMute]
    /// When the monitor's mute ends, or nil when it is not muted at `now`.
    func mutedUntil(monitor monitorId: Int, at now: Date) async throws -> Date?
    /// The secret called `name`, made by `make` the first time and kept: every process on the store gets the same.
    func secret(named name: String, makeWith make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8]
    /// Every secret by name, for `zmes store copy` (write them with ``secret(named:makeWith:)``).
    func secrets() async throws -> [String: [UInt8]]

    // MARK: The outbox (`Outbox/`)

    /// Applies ``NotificationRule`` and enqueues the pushes in one transaction. - Returns: the tokens notified.
    func recordNotifications(
        for alarm: Alarm, candidates: [NotificationCandidate], mqttBrokers: [String], at now: Date
    ) async throws -> Set<String>
    /// Takes up to `limit` due jobs: claimed, attempt counted and badge fixed in one transaction.
    func claimDueJobs(limit: Int, providers: Set<PushProvider>, at now: Date) async throws -> [ClaimedJob]
    /// When the next unclaimed job falls due.
    func nextDueTime(providers: Set<PushProvider>) async throws -> Date?
    /// Records many attempts in one transaction.
    func record(_ results: [(jobID: Int64, token: String, result: JobResult)], at now: Date) async throws
    /// Every claim is released (start-up of the only instance). - Returns: how many.
    @discardableResult
    func releaseClaims() async throws -> Int
    /// Claims older than `lease` seconds are released. - Returns: how many.
    @discardableResult
    func releaseExpiredClaims(lease: TimeInterval, at now: Date) async throws -> Int
    /// Dead-letters undelivered jobs older than `maxAge` seconds. - Returns: how many.
    @discardableResult
    func expireJobs(maxAge: TimeInterval, at now: Date) async throws -> Int
    /// Puts failed jobs back (the ids, or all since a time) and lifts their providers' broken marks.
    func replay(ids: [Int64]?, since: Date?, at now: Date) async throws -> [PushJob]
    /// Deletes at most `limit` finished jobs that finished before `cutoff`, oldest first.
    @discardableResult
    func deleteFinishedJobs(finishedBefore cutoff: Date, limit: Int) async throws -> Int
    /// Adds queued or retrying jobs as another store held them (state, attempts, due time, last error,
    /// alarm, creation time), unclaimed and with new ids, in one transaction: all or none. For `zmes store copy`.
    /// A job already attempted keeps a badge (its device's count as imported), so claiming it again does not
    /// raise the device's count a second time; import the devices first.
    func importPendingJobs(_ jobs: [PushJob]) async throws
    /// The outbox jobs `query` matches, newest first, at most `limit`.
    func pushJobs(matching query: PushJobQuery, limit: Int) async throws -> [PushJob]
    /// Which instance (`server.instance_id`) holds each of these jobs that is claimed now; unclaimed jobs are
    /// absent, and so is every job on a store only one instance uses (SQLite).
    func claimants(of jobIDs: [Int64]) async throws -> [Int64: String]
    /// How many jobs are in each state (states with none are absent).
    func outboxCounts() async throws -> [PushJobState: Int]
    /// Delivered and failed pushes per minute since `since`.
    func outcomesPerMinute(since: Date) async throws -> [OutcomeCount]
    /// The last `perMonitor` events of each monitor that were pushed, newest first.
    func recentEvents(perMonitor: Int) async throws -> [Int: [RecentEvent]]
}

/// The defaults: now, no MQTT brokers, every time, the usual limits.
extension Store {
    @discardableResult
    public func register(_ registration: DeviceRegistration) async throws -> Device {
        try await register(registration, at: Date())
    }

    public func register(contentsOf registrations: [DeviceRegistration]) async throws {
        try await register(contentsOf: registrations, at: Date())
    }

    public func importDevices(_ devices: [(registration: DeviceRegistration, badge: Int)]) async throws {
        try await importDevices(devices, at: Date())
    }

    public func saveCredential(name: String, provider: PushProvider, body: Data) async throws {
        try await saveCredential(name: name, provider: provider, body: body, at: Date())
    }

    public func markCredentialBroken(name: String, reason: String) async throws {
        try await markCredentialBroken(name: name, reason: reason, at: Date())
    }

    public func saveRemotePermissions(user: String, monitors: MonitorSet) async throws {
        try await saveRemotePermissions(user: user, monitors: monitors, at: Date())
    }

    public func remotePermissions(users names: Set<String>) async throws -> [String: MonitorSet] {
        try await remotePermissions(users: names, verifiedSince: .distantPast)
    }

    public func saveLastNotifiedEvent(monitor: Int, event: Int) async throws {
        try await saveLastNotifiedEvent(monitor: monitor, event: event, at: Date())
    }

    public func muteMonitor(_ monitorId: Int, until: Date) async throws {
        try await muteMonitor(monitorId, until: until, at: Date())
    }

    public func monitorMutes() async throws -> [Int: MonitorMute] {
        try await monitorMutes(at: Date())
    }

    public func mutedUntil(monitor monitorId: Int) async throws -> Date? {
        try await mutedUntil(monitor: monitorId, at: Date())
    }

    public func recordNotifications(
        for alarm: Alarm, candidates: [NotificationCandidate], mqttBrokers: [String] = []
    ) async throws -> Set<String> {
        try await recordNotifications(for: alarm, candidates: candidates, mqttBrokers: mqttBrokers, at: Date())
    }

    public func recordNotifications(for alarm: Alarm, candidates: [NotificationCandidate], at now: Date) async throws -> Set<String> {
        try await recordNotifications(for: alarm, candidates: candidates, mqttBrokers: [], at: now)
    }

    public func claimDueJobs(limit: Int, providers: Set<PushProvider>) async throws -> [ClaimedJob] {
        try await claimDueJobs(limit: limit, providers: providers, at: Date())
    }

    public func record(_ results: [(jobID: Int64, token: String, result: JobResult)]) async throws {
        try await record(results, at: Date())
    }

    @discardableResult
    public func releaseExpiredClaims(lease: TimeInterval) async throws -> Int {
        try await releaseExpiredClaims(lease: lease, at: Date())
    }

    @discardableResult
    public func expireJobs(maxAge: TimeInterval) async throws -> Int {
        try await expireJobs(maxAge: maxAge, at: Date())
    }

    public func replay(ids: [Int64]? = nil, since: Date? = nil) async throws -> [PushJob] {
        try await replay(ids: ids, since: since, at: Date())
    }

    public func replay(ids: [Int64]?, at now: Date) async throws -> [PushJob] {
        try await replay(ids: ids, since: nil, at: now)
    }

    @discardableResult
    public func deleteFinishedJobs(finishedBefore cutoff: Date) async throws -> Int {
        try await deleteFinishedJobs(finishedBefore: cutoff, limit: 500)
    }

    /// The outbox, newest first, optionally only one state and only jobs created since a time.
    public func pushJobs(state: PushJobState?, since: Date?, limit: Int) async throws -> [PushJob] {
        try await pushJobs(matching: PushJobQuery(state: state, since: since), limit: limit)
    }

    public func pushJobs(state: PushJobState? = nil, since: Date? = nil) async throws -> [PushJob] {
        try await pushJobs(state: state, since: since, limit: 10_000)
    }

    public func pushJobs(state: PushJobState?, limit: Int) async throws -> [PushJob] {
        try await pushJobs(state: state, since: nil, limit: limit)
    }

    public func recentEvents() async throws -> [Int: [RecentEvent]] {
        try await recentEvents(perMonitor: 3)
    }
}
