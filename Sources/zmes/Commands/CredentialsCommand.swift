import ArgumentParser
import CurlClient
import Foundation
import Model
import PushDispatcher
import Storage

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Push provider credentials (APNs keys, FCM service accounts, the zmNinja proxy).",
        subcommands: [Add.self, List.self, Remove.self, Verify.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a credentials file (format: Credentials.example) and register every entry; refuses the whole file on any error.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The credentials file.") var file: String

        func run() async throws {
            let credentials: [ProviderCredential]
            do {
                credentials = try CredentialsFile.load(path: file)
            } catch {
                throw CommandFailure("\(file): \(error)")
            }
            try await options.withStore { store in try await CredentialsCommand.register(credentials, in: store) }
            print("send zmes serve SIGHUP (systemctl reload zmes) or restart it to use them")
        }
    }

    struct List: ListCommand {
        static let configuration = CommandConfiguration(abstract: "List registered credentials (names, key ids, fingerprints; never secrets).")
        @OptionGroup var options: ListOptions

        func rows(from store: any Store) async throws -> [CredentialListing] {
            let set = try await CredentialSet.load(from: store)
            return set.credentials.map { CredentialListing($0, brokenReason: set.broken[$0.name]) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a credential.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Credential name.") var name: String

        func run() async throws {
            let removed = try await options.withStore { store in try await store.removeCredential(name: name) }
            guard removed else { throw CommandFailure("no credential named '\(name)'") }
            print("removed credential \(name)")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every credential: its key signs, and it is not marked broken. --probe makes one real call per provider; a probe that succeeds clears a broken mark.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Make one real call per provider (APNs with a dummy token, FCM validate_only, the proxy with a dummy token).") var probe = false

        func run() async throws {
            try await options.withStore { store in
                let set = try await CredentialSet.load(from: store)
                guard !set.credentials.isEmpty else { throw CommandFailure("no credentials registered (zmes credentials add --file FILE)") }
                let client = CurlClient()
                defer { client.shutdown() }
                var failures = 0
                for credential in set.credentials {
                    let verdict = try await CredentialCheck.run(
                        credential, brokenReason: set.broken[credential.name], probeClient: probe ? client : nil, store: store)
                    if !verdict.healthy { failures += 1 }
                    print("\(credential.provider.rawValue) '\(credential.name)': \(verdict.text)")
                }
                if failures > 0 { throw ExitCode(1) }
            }
        }
    }

    /// Saves each credential, replacing one of the same name, and says so.
    static func register(_ credentials: [ProviderCredential], in store: any Store) async throws {
        try await CredentialSet.register(credentials, in: store)
        for credential in credentials {
            print("registered \(credential.provider.rawValue) '\(credential.name)': \(credential.summary)")
        }
    }
}

/// A credential as `zmes credentials list` shows it: never its secrets.
struct CredentialListing: Listing {
    var name: String
    var provider: String
    var summary: String
    var state: String
    var brokenReason: String?

    init(_ credential: ProviderCredential, brokenReason: String?) {
        name = credential.name
        provider = credential.provider.rawValue
        summary = credential.summary
        state = brokenReason == nil ? "ok" : "broken"
        self.brokenReason = brokenReason
    }

    static let header = ["NAME", "PROVIDER", "STATE", "DETAILS"]
    var cells: [String] { [name, provider, brokenReason.map { "broken: \($0)" } ?? "ok", summary] }
}
