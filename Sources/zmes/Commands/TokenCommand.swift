import ArgumentParser
import EventServer
import Foundation
import Model
import PushDispatcher

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Registered devices.", subcommands: [List.self, Import.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered devices.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print JSON with whole tokens.") var json = false

        struct Listing: Encodable {
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
        }

        func run() async throws {
            let store = try options.openStore(try options.loadConfiguration())
            let providers = try await CredentialSet.load(from: store).selection
            let devices = try await store.devices().map {
                Listing(
                    token: $0.token, user: $0.user, platform: $0.platform.rawValue, state: $0.state.rawValue,
                    monlist: $0.filter.monlist, intlist: $0.filter.intlist, badge: $0.badge, appversion: $0.appVersion,
                    provider: providers.provider(forToken: $0.token).rawValue, lastPushAt: $0.lastPushAt)
            }
            if json { return try printJSON(devices) }
            let header = ["TOKEN", "USER", "PLATFORM", "STATE", "MONITORS", "INTERVALS", "BADGE", "LAST PUSH"]
            let rows = devices.map {
                [
                    redactedToken($0.token), $0.user, $0.platform, $0.state, $0.monlist.isEmpty ? "all" : $0.monlist,
                    $0.intlist.isEmpty ? "-" : $0.intlist, String($0.badge),
                    $0.lastPushAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never",
                ]
            }
            printTable(header: header, rows: rows)
        }
    }
}

func printTable(header: [String], rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    for row in [header] + rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 2, withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces))
    }
}
