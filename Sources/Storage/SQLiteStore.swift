import Foundation
import GRDB
import Model

/// The one SQLite file that holds users, devices, last-notified times and the outbox.
///
/// WAL mode lets the CLI read and write while `zmes serve` runs.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    public let path: String
    /// Alarms recorded at the same time, committed together (``recordNotifications(for:candidates:mqttBrokers:at:)``).
    let notificationCommits: GroupCommit<NotificationWrite, Set<String>>

    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do throws(PrivateFiles.Failure) {
            try PrivateFiles.createDirectory(directory)
        } catch {
            throw StoreError.cannotCreateDirectory(path: directory, reason: error.reason)
        }
        do throws(PrivateFiles.Failure) {
            // The file holds secrets: 0600 from its creation, and SQLite gives -wal and -shm its mode.
            try PrivateFiles.createFileIfMissing(path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: error.reason)
        }
        PrivateFiles.restrictExisting([path, path + "-wal", path + "-shm"])
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // Statement journals, savepoint journals (each alarm of a group commit has a savepoint) and
        // sorts stay in memory. In temporary files they were most of what zmes wrote: 588 MiB in all
        // for one alarm to 20,000 devices, 55 MiB with them in memory (BENCHMARKS.md, section 1).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        self.pool = pool
        notificationCommits = GroupCommit { writes in await SQLiteStore.commitNotifications(writes, in: pool) }
    }

    /// One file, one server: nothing to coordinate.
    public var coordination: any InstanceCoordination { SingleInstance() }

    /// A cheap query that proves the file is readable, for health checks.
    public func isHealthy() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

extension Date {
    var storeValue: Double { timeIntervalSince1970 }
    init(storeValue: Double) { self.init(timeIntervalSince1970: storeValue) }
}
