import ArgumentParser
import EventServer
import Foundation
import Logging
import Storage

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move an install's store to another backend.", subcommands: [Copy.self])

    /// docs/POSTGRESQL.md, "Moving an install: zmes store copy".
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a store into an empty one, e.g. an SQLite install into PostgreSQL. Stop zmes serve first.",
            discussion: """
                Copies users, devices (badges, filters, push state), credentials (with broken marks), secrets, \
                the mutes in force, the last ZoneMinder event per monitor, and the pending (queued or retrying) pushes. \
                Delivered and failed pushes, per-device last notifications and cached ZoneMinder permissions are not copied. \
                A target holding any user, device, credential or outbox job is refused and nothing is written. \
                The target's password comes from its URL, --to-password-file or ZMES_STORE_PASSWORD.
                """)

        @Option(help: "The store to copy: sqlite:PATH or postgres://USER@HOST:PORT/DB.") var from: String
        @Option(help: "The empty store to fill: postgres://USER@HOST:PORT/DB or sqlite:PATH.") var to: String
        @Option(name: .customLong("to-password-file"), help: "A file whose first line is the target's PostgreSQL password.")
        var toPasswordFile: String?

        func run() async throws {
            let source = try Self.location(from, option: "--from", password: "", passwordFile: "")
            if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
                throw CommandFailure("--from: there is no SQLite store at \(path)")
            }
            let target = try Self.location(
                to, option: "--to", password: ProcessInfo.processInfo.environment["ZMES_STORE_PASSWORD"] ?? "",
                passwordFile: toPasswordFile ?? "")
            guard source != target else { throw CommandFailure("--from and --to name the same store") }
            var logger = Logger(label: "zmes.cli")
            logger.logLevel = .warning
            let counts: StoreCopy.Counts
            do {
                counts = try await withStore(source, instanceId: "store-copy", logger: logger) { source in
                    try await withStore(target, instanceId: "store-copy", logger: logger) { target in
                        try await StoreCopy.copy(from: source, to: target)
                    }
                }
            } catch let error as StoreCopy.TargetNotEmpty {
                throw CommandFailure("\(target): \(error)")
            } catch let error as StoreError {
                throw CommandFailure("\(error)")
            }
            print("\(counts) from \(source) to \(target)")
            print("not copied: delivered and failed pushes (history), per-device last notifications, cached ZoneMinder permissions")
        }

        /// `sqlite:PATH`, or a `postgres://` URL with its password from the URL, `password` or `passwordFile`
        /// (read as `store.url` is, ``ConfigurationLoader/postgresLocation(url:password:passwordFile:keys:)``).
        static func location(_ text: String, option: String, password: String, passwordFile: String) throws -> StoreLocation {
            if text.hasPrefix("sqlite:") {
                let path = String(text.dropFirst("sqlite:".count))
                guard !path.isEmpty else { throw CommandFailure("\(option): sqlite: names no file (sqlite:PATH)") }
                guard passwordFile.isEmpty else { throw CommandFailure("--to-password-file is read only with a postgres:// target") }
                return .sqlite(path: path)
            }
            guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
                throw CommandFailure("\(option): must be sqlite:PATH or postgres://USER@HOST:PORT/DB")
            }
            do {
                return .postgres(
                    try ConfigurationLoader.postgresLocation(
                        url: text, password: password, passwordFile: passwordFile,
                        keys: (option, "ZMES_STORE_PASSWORD", "--to-password-file")))
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }
}
