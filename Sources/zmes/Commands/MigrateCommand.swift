import ArgumentParser
import EventServer
import Foundation
import Model
import PushDispatcher
import Storage
import ZoneMinder

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Write a zmes.yml equivalent to a zmeventnotification.ini, register its zmNinja proxy key, import its tokens, and report what has no equivalent.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "The zmeventnotification.ini to read.") var ini: String
    @Option(help: "Its secrets.ini (for !NAME values).") var secrets: String?
    @Option(help: "Its tokens.txt (JSON or the old colon format).") var tokens: String?
    @Option(help: "Its es_rules.json, turned into rules: (mute and critical_notify by monitor, time, day and cause).") var rules: String?
    @Option(help: "The zmes.yml to write (refuses to overwrite an existing file).") var output: String = "zmes.yml"
    @Option(help: "The user that owns imported devices (the ZoneMinder login their phones use).") var user: String = "admin"

    func run() async throws {
        let iniFile = IniFile(text: try readText(ini))
        let secretsFile = try secrets.map { IniFile(text: try readText($0)) }
        var result = EventNotificationMigration(ini: iniFile, secrets: secretsFile).run()
        if let rules {
            do {
                result.configuration += "\n# From \(rules):\n" + (try RulesFile.yaml(from: try readText(rules)))
            } catch let error as RulesFileError {
                throw CommandFailure("\(rules): \(error)")
            }
        }
        guard !FileManager.default.fileExists(atPath: output) else {
            throw CommandFailure("\(output) already exists; move it away or pass --output")
        }
        // Check what we write parses, before writing it.
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: result.configuration, path: output)
        } catch {
            throw CommandFailure("the migrated configuration does not load (\(error)); please report this")
        }
        try result.configuration.write(toFile: output, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: output)
        print("wrote \(output)")
        let configuration = try ConfigurationLoader().load(path: output)
        try await options.withStore(configuration) { store in
            if let credentials = result.credentials {
                let parsed: [ProviderCredential]
                do {
                    parsed = try CredentialsFile.parse(yaml: credentials, keyFiles: .directory(URL(fileURLWithPath: ".")))
                } catch {
                    throw CommandFailure("the proxy settings of \(ini) are not usable: \(error)")
                }
                try await CredentialsCommand.register(parsed, in: store)
            }
            if let tokens {
                let count = try await TokenImport.run(path: tokens, user: user, store: store, configuration: configuration)
                print("imported \(count) device\(count == 1 ? "" : "s") from \(tokens) (owner: \(user))")
            }
        }
        if result.notCarriedOver.isEmpty {
            print("every setting was carried over")
        } else {
            print("not carried over:")
            for note in result.notCarriedOver { print("  - \(note)") }
        }
    }

    private func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read \(path): \((error as NSError).localizedDescription)")
        }
    }
}

enum TokenImport {
    /// Registers every device of a zmeventnotification tokens.txt, owned by `user`; refuses an
    /// owner that cannot be served (nothing imported), since its devices would never get a push.
    static func run(path: String, user: String, store: any Store, configuration: Configuration) async throws -> Int {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let tokens: [ImportedToken]
        do {
            tokens = try TokenFile.parse(text)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
        try await checkOwner(user, store: store, configuration: configuration)
        try await store.importDevices(tokens.map { token in
            let registration = DeviceRegistration(
                token: token.token, user: user, platform: token.platform, state: token.state, filter: token.filter,
                appVersion: token.appVersion)
            return (registration, token.badge)
        })
        return tokens.count
    }

    /// With local users the owner must be one; a ZoneMinder user is known to zmes only after
    /// logging in through it, so an unknown one is accepted with a note; without auth anyone goes.
    static func checkOwner(_ user: String, store: any Store, configuration: Configuration) async throws {
        guard !user.isEmpty, !user.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw CommandFailure("the owner (--user) must be non-empty and contain no spaces")
        }
        guard configuration.auth.enabled else { return }
        switch configuration.auth.backend {
        case .local:
            guard try await store.user(named: user) == nil else { return }
            throw CommandFailure(
                "no user '\(user)': its devices would never get a push; nothing imported. "
                    + "Create it first (zmes user add \(user) --password-stdin) or pass --user with an existing user (zmes user list)")
        case .zoneminder:
            guard try await store.remotePermissions(users: [user])[user] == nil else { return }
            FileHandle.standardError.write(Data(
                "note: ZoneMinder user '\(user)' has not logged in through zmes yet; its devices get pushes once it has (zmNinja logs in when it connects)\n".utf8))
        }
    }
}

extension TokenCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a zmeventnotification tokens.txt (JSON or the old colon format).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The tokens file.") var file: String
        @Option(help: "The user that owns the imported devices.") var user: String = "admin"

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let count = try await options.withStore(configuration) { store in
                try await TokenImport.run(path: file, user: user, store: store, configuration: configuration)
            }
            print("imported \(count) device\(count == 1 ? "" : "s") (owner: \(user))")
        }
    }
}
