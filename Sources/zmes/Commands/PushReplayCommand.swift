import ArgumentParser
import Foundation

extension PushCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead-lettered pushes back into the outbox; they go through the same rules as new ones.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Push ids (from zmes push list).") var ids: [Int64] = []
        @Flag(help: "Every failed push.") var allFailed = false
        @Option(help: "With --all-failed: only pushes created since this ISO 8601 time.") var since: String?

        func validate() throws {
            guard ids.isEmpty != !allFailed else { throw ValidationError("give push ids or --all-failed, not both") }
        }

        func run() async throws {
            let sinceDate = try parseSince(since)
            let jobs = try await options.withStore { store in try await store.replay(ids: allFailed ? nil : ids, since: sinceDate) }
            if !allFailed && jobs.count < ids.count {
                let missing = Set(ids).subtracting(jobs.map(\.id)).sorted()
                print("not failed or not found, left as they are: \(missing.map(String.init).joined(separator: ", "))")
            }
            print("replayed \(jobs.count) push\(jobs.count == 1 ? "" : "es")")
        }
    }
}
