import ArgumentParser
import EventServer
import Foundation
import Logging
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

    /// Runs `body` with the store the configuration names (`store.backend`), the one given or the
    /// one `--config` names; a PostgreSQL store's connections are closed when `body` returns.
    func withStore<Result>(_ configuration: Configuration? = nil, _ body: (any Store) async throws -> Result) async throws -> Result {
        let configuration = try configuration ?? loadConfiguration()
        var logger = Logger(label: "zmes.cli")
        logger.logLevel = .warning
        do {
            return try await Storage.withStore(
                configuration.store.location, instanceId: InstanceID.resolve(configuration.server.instanceId), logger: logger, body)
        } catch let error as StoreError {
            throw CommandFailure("\(error)")
        }
    }
}

extension Configuration {
    var monitorDirectory: MonitorDirectory {
        MonitorDirectory(names: Dictionary(zoneminder.monitors.map { ($0.id, $0.name) }, uniquingKeysWith: { _, last in last }))
    }
}
