import ArgumentParser
import Storage

/// What every `list` command takes: the global options and `--json`.
struct ListOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON instead of a table (tokens whole, times in ISO 8601).") var json = false
}

/// One row of a `list` command: encoded as it is for `--json`, else `cells` under `header`.
protocol Listing: Encodable {
    static var header: [String] { get }
    var cells: [String] { get }
}

/// A `list` command: reads its rows from the store and prints them as a table or, with `--json`, as JSON.
protocol ListCommand: AsyncParsableCommand {
    associatedtype Row: Listing
    var options: ListOptions { get }
    func rows(from store: any Store) async throws -> [Row]
}

extension ListCommand {
    func run() async throws {
        let listed: [Row] = try await options.global.withStore { store in try await rows(from: store) }
        try printListing(listed, json: options.json)
    }
}
