import ArgumentParser
import Foundation
import Storage

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Mute and unmute monitors by hand.", subcommands: [Mute.self, Unmute.self, List.self])

    struct Mute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send nothing for a monitor's alarms (no push, no websocket alarm) for a while; a running zmes sees it at its next alarm.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The monitor id.") var monitor: Int
        @Option(name: .customLong("for"), help: "How long: 30m, 2h, 1d, 1h30m.") var duration: String

        func run() async throws {
            guard MonitorMute.monitorIds.contains(monitor) else { throw CommandFailure("the monitor id must be a whole number from 0") }
            let seconds = try parseDuration(duration, option: "--for")
            let until = Date().addingTimeInterval(TimeInterval(seconds))
            try await options.withStore { store in try await store.muteMonitor(monitor, until: until) }
            print("monitor \(monitor) muted until \(until.formatted(.iso8601))")
        }
    }

    struct Unmute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a monitor's mute.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The monitor id.") var monitor: Int

        func run() async throws {
            let wasMuted = try await options.withStore { store in try await store.unmuteMonitor(monitor) }
            print(wasMuted ? "monitor \(monitor) unmuted" : "monitor \(monitor) was not muted")
        }
    }

    struct List: ListCommand {
        static let configuration = CommandConfiguration(abstract: "List the monitors muted now.")
        @OptionGroup var options: ListOptions

        func rows(from store: any Store) async throws -> [MonitorMute] {
            try await store.monitorMutes().values.sorted { $0.monitorId < $1.monitorId }
        }
    }
}

/// A mute as `zmes monitor list` shows it.
extension MonitorMute: Listing {
    static let header = ["MONITOR", "MUTED UNTIL", "SINCE"]
    var cells: [String] { [String(monitorId), until.formatted(.iso8601), setAt.formatted(.iso8601)] }
}
