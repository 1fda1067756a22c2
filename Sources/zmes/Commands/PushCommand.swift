import ArgumentParser
import Foundation
import Model
import Storage

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "The push outbox.", subcommands: [List.self, Replay.self])

    struct List: ListCommand {
        static let configuration = CommandConfiguration(abstract: "List pushes in the outbox, newest first.")
        @OptionGroup var options: ListOptions
        @Option(help: "Only this state: queued, retrying, delivered or failed.") var state: String?
        @Option(help: "Only pushes created since this ISO 8601 time, e.g. 2026-11-24T10:00:00Z.") var since: String?

        func rows(from store: any Store) async throws -> [PushJobListing] {
            var stateFilter: PushJobState?
            if let state {
                guard let parsed = PushJobState(rawValue: state) else {
                    throw CommandFailure("--state must be queued, retrying, delivered or failed")
                }
                stateFilter = parsed
            }
            return try await store.pushJobs(state: stateFilter, since: try parseSince(since)).map(PushJobListing.init)
        }
    }
}

extension PushJobListing: Listing {
    static let header = ["ID", "TOKEN", "PROVIDER", "STATE", "ATTEMPTS", "MONITOR", "EVENT", "CREATED", "LAST ERROR"]
    var cells: [String] {
        [
            String(id), redactedToken(token), provider, state, String(attempts), String(monitorId), String(eventId),
            ISO8601DateFormatter().string(from: createdAt), lastError ?? "",
        ]
    }
}
