import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL 15 (Debian's `postgresql`), one per test process, started on first use in a
/// data directory of its own on a free loopback port, as the OS user `postgres` (it refuses to run
/// as root), with trust authentication on loopback. Each test takes a fresh database from it
/// (``createDatabase()``). It is stopped by its PID when the test process exits.
///
/// Without PostgreSQL installed, ``shared()`` throws a failure that says what to install: the
/// PostgreSQL variants of the tests fail rather than pass without running.
public final class PostgresServer: @unchecked Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The superuser `initdb` creates; trust authentication lets it in without a password.
    public static let superuser = "postgres"
    public let port: Int
    public let directory: String
    private let process: Process
    /// The postmaster's PID: its sessions are its child processes.
    public var pid: pid_t { process.processIdentifier }
    private let lock = NSLock()
    private var databases = 0

    private static let startLock = NSLock()
    nonisolated(unsafe) private static var started: Result<PostgresServer, TestFailure>?

    /// The server of this test process, started by the first caller.
    public static func shared() throws -> PostgresServer {
        try startLock.withLock {
            if let started { return try started.get() }
            let result: Result<PostgresServer, TestFailure>
            do {
                result = .success(try PostgresServer(durable: false))
            } catch let failure as TestFailure {
                result = .failure(failure)
            } catch {
                result = .failure(TestFailure("cannot start PostgreSQL: \(error)"))
            }
            started = result
            if case .success(let server) = result {
                runningServer = server
                atexit { runningServer?.stop() }
            }
            return try result.get()
        }
    }

    /// A server of the caller's own, which the caller stops (``stop()``): for a benchmark, which wants
    /// PostgreSQL's durable defaults where the tests turn durability off.
    /// - Parameter durable: `false` turns off `fsync`, `synchronous_commit` and `full_page_writes`, as the
    ///   tests' shared server does; `true` keeps PostgreSQL's defaults, which a deployment runs with.
    public static func start(durable: Bool) throws -> PostgresServer {
        try PostgresServer(durable: durable)
    }

    private init(durable: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binaries + "/postgres") else {
            throw TestFailure(
                "PostgreSQL 15 is not installed (\(Self.binaries)/postgres is missing): apt-get install postgresql")
        }
        guard let account = getpwnam("postgres") else {
            throw TestFailure("no OS user 'postgres' to run PostgreSQL as: apt-get install postgresql")
        }
        let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
        directory = NSTemporaryDirectory() + "zmes-postgres-\(getpid())-\(UUID().uuidString.prefix(8))"
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for path in [directory, data] {
            guard chown(path, uid, gid) == 0 else { throw TestFailure("cannot chown \(path) to postgres") }
        }
        chmod(data, 0o700)
        let initdb = Process()
        asPostgres(
            initdb, Self.binaries + "/initdb",
            ["-D", data, "-U", Self.superuser, "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"])
        initdb.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        initdb.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try launch(initdb)
        waitForExit(initdb, timeout: 60)
        guard initdb.terminationStatus == 0 else { throw TestFailure("initdb failed in \(data) (status \(initdb.terminationStatus))") }
        port = try freeLoopbackPort()
        let log = directory + "/postgres.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        chown(log, uid, gid)
        process = Process()
        // Durability is not what the tests are about: no fsync makes each test's database quick to make.
        let durability = durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        asPostgres(
            process, Self.binaries + "/postgres",
            [
                "-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(directory)",
                "-c", "max_connections=300",
            ] + durability)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try launch(process)
        let deadline = Date().addingTimeInterval(30)
        while !loopbackAccepts(port: port) {
            guard Date() < deadline, process.isRunning else {
                throw TestFailure("PostgreSQL did not listen on 127.0.0.1:\(port); see \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Listening is not yet accepting sessions ("the database system is starting up"): a durable
        // server may still be replaying its WAL. pg_isready exits 0 once it accepts them.
        while !isReady() {
            guard Date() < deadline, process.isRunning else {
                throw TestFailure("PostgreSQL on 127.0.0.1:\(port) did not accept sessions within 30 s; see \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private func isReady() -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: Self.binaries + "/pg_isready")
        probe.arguments = ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", Self.superuser]
        guard (try? launch(probe)) != nil else { return false }
        waitForExit(probe, timeout: 10)
        return !probe.isRunning && probe.terminationStatus == 0
    }

    /// A new, empty database; its name.
    public func createDatabase() throws -> String {
        let name = lock.withLock {
            databases += 1
            return "zmes_test_\(databases)"
        }
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`.
    public func url(database: String) -> String {
        "postgres://\(Self.superuser)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs one SQL command on `database` (the `postgres` database by default) with `psql`; its rows,
    /// one a line, fields separated by `|`.
    @discardableResult
    public func psql(_ command: String, database: String = "postgres") throws -> [String] {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: Self.binaries + "/psql")
        psql.arguments = [
            "-h", "127.0.0.1", "-p", String(port), "-U", Self.superuser, "-d", database, "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", command,
        ]
        let output = Pipe()
        psql.standardOutput = output
        try launch(psql)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        waitForExit(psql, timeout: 60)
        guard psql.terminationStatus == 0 else { throw TestFailure("psql failed (status \(psql.terminationStatus)): \(command)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Fast shutdown (SIGINT: sessions are cut, nothing is waited for), then the data directory goes.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        waitForExit(process)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

nonisolated(unsafe) private var runningServer: PostgresServer?

/// `program` run as the OS user `postgres` through `setpriv`, which execs it: the PID is the program's.
private func asPostgres(_ process: Process, _ program: String, _ arguments: [String]) {
    unblockingSignals(
        process, "/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program] + arguments)
}
