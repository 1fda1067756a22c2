import ArgumentParser
import EventServer
import Foundation
import Model
import Storage

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage local users.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user or update its password and monitors.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "User name.") var name: String
        @Option(help: "Monitors the user may see, e.g. 1,2 (default: all).") var monitors: String?
        @Flag(help: "Read the password from one line of standard input.") var passwordStdin = false
        @Flag(inversion: .prefixedNo, help: "May open the operators' console (default: as before; no for a new user).")
        var admin: Bool?

        func run() async throws {
            guard passwordStdin else { throw CommandFailure("give the password on standard input with --password-stdin") }
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw CommandFailure("the user name must be non-empty and contain no spaces")
            }
            var monitorSet = MonitorSet.all
            if let monitors {
                guard let parsed = MonitorSet(list: monitors) else {
                    throw CommandFailure("--monitors must be monitor ids separated by commas, e.g. 1,2")
                }
                monitorSet = parsed
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure("no password on standard input")
            }
            try await options.withStore { store in
                let existing = try await store.user(named: name)
                let isAdmin = admin ?? existing?.isAdmin ?? false
                try await store.saveUser(
                    User(
                        name: name, passwordHash: await PasswordHasher.hash(line), monitors: monitorSet,
                        createdAt: existing?.createdAt ?? Date(), isAdmin: isAdmin))
                print((existing == nil ? "created user \(name)" : "updated user \(name)") + (isAdmin ? " (admin)" : ""))
            }
        }
    }

    struct List: ListCommand {
        static let configuration = CommandConfiguration(abstract: "List local users.")
        @OptionGroup var options: ListOptions

        func rows(from store: any Store) async throws -> [UserListing] {
            try await store.users().map(UserListing.init)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and the devices it registered.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            try await options.withStore { store in
                do {
                    try await store.removeUser(named: name)
                } catch {
                    throw CommandFailure("\(error)")
                }
                print("removed user \(name)")
            }
        }
    }
}

/// A local user as `zmes user list` shows it (never the password hash).
struct UserListing: Listing {
    var name: String
    var monitors: String
    var admin: Bool
    var createdAt: Date

    init(_ user: User) {
        name = user.name
        monitors = user.monitors.list ?? "all"
        admin = user.isAdmin
        createdAt = user.createdAt
    }

    static let header = ["NAME", "MONITORS", "ADMIN"]
    var cells: [String] { [name, monitors, admin ? "yes" : "no"] }
}
