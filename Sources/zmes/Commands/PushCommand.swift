import ArgumentParser
import Storage
import Foundation
import Model

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "The push outbox.", subcommands: [List.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pushes in the outbox, newest first.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this state: queued, retrying, delivered or failed.") var state: String?
        @Option(help: "Only pushes created since this ISO 8601 time, e.g. 2026-11-24T10:00:00Z.") var since: String?
        @Flag(help: "Print JSON with whole tokens.") var json = false

        func run() async throws {
            var stateFilter: PushJobState?
            if let state {
                guard let parsed = PushJobState(rawValue: state) else {
                    throw CommandFailure("--state must be queued, retrying, delivered or failed")
                }
                stateFilter = parsed
            }
            var sinceDate: Date?
            if let since {
                guard let parsed = ISO8601DateFormatter().date(from: since) else {
                    throw CommandFailure("--since must be an ISO 8601 time such as 2026-11-24T10:00:00Z")
                }
                sinceDate = parsed
            }
            let store = try options.openStore(try options.loadConfiguration())
            let jobs = try await store.pushJobs(state: stateFilter, since: sinceDate).map(PushJobListing.init)
            if json { return try printJSON(jobs) }
            let formatter = ISO8601DateFormatter()
            printTable(
                header: ["ID", "TOKEN", "PROVIDER", "STATE", "ATTEMPTS", "MONITOR", "EVENT", "CREATED", "LAST ERROR"],
                rows: jobs.map {
                    [
                        String($0.id), redactedToken($0.token), $0.provider, $0.state, String($0.attempts), String($0.monitorId),
                        String($0.eventId), formatter.string(from: $0.createdAt), $0.lastError ?? "",
                    ]
                })
        }
    }
}
