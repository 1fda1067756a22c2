import ArgumentParser
import Foundation
import Model
import PushDispatcher
import Storage

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Registered devices.", subcommands: [List.self, Import.self])

    struct List: ListCommand {
        static let configuration = CommandConfiguration(abstract: "List registered devices.")
        @OptionGroup var options: ListOptions

        func rows(from store: any Store) async throws -> [DeviceListing] {
            let providers = try await CredentialSet.load(from: store).selection
            return try await store.devices().map { DeviceListing($0, provider: providers.provider(forToken: $0.token)) }
        }
    }
}

/// A device as `zmes token list` shows it.
struct DeviceListing: Listing {
    var token: String
    var user: String
    var platform: String
    var state: String
    var monlist: String
    var intlist: String
    var badge: Int
    var appversion: String
    var provider: String
    var lastPushAt: Date?

    init(_ device: Device, provider: PushProvider) {
        token = device.token
        user = device.user
        platform = device.platform.rawValue
        state = device.state.rawValue
        monlist = device.filter.monlist
        intlist = device.filter.intlist
        badge = device.badge
        appversion = device.appVersion
        self.provider = provider.rawValue
        lastPushAt = device.lastPushAt
    }

    static let header = ["TOKEN", "USER", "PLATFORM", "STATE", "MONITORS", "INTERVALS", "BADGE", "LAST PUSH"]
    var cells: [String] {
        [
            redactedToken(token), user, platform, state, monlist.isEmpty ? "all" : monlist, intlist.isEmpty ? "-" : intlist,
            String(badge), lastPushAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never",
        ]
    }
}
