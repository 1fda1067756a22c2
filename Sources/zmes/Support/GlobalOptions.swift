import ArgumentParser
import EventServer
import Foundation
import Storage
import ZoneMinder

/// Options every command takes (README.md, "The command line").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./zmes.yml, else /etc/zmes/zmes.yml, else built-in defaults).")
    var config: String?

    func loadConfiguration() throws -> Configuration {
        do {
            return try ConfigurationLoader().load(path: ConfigurationLoader.defaultPath(explicit: config))
        } catch {
            throw CommandFailure("configuration: \(error)")
        }
    }

    /// The store the configuration names, for commands that need nothing else from it.
    func openStore() throws -> any Store {
        try openStore(try loadConfiguration())
    }

    func openStore(_ configuration: Configuration) throws -> any Store {
        do {
            return try SQLiteStore(path: configuration.store.path)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension Configuration {
    var monitorDirectory: MonitorDirectory {
        MonitorDirectory(names: Dictionary(zoneminder.monitors.map { ($0.id, $0.name) }, uniquingKeysWith: { _, last in last }))
    }
}
