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

    func openStore(_ configuration: Configuration) throws -> Store {
        do {
            return try Store(path: configuration.store.path)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// A one-line reason on standard error and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension CommandFailure: LocalizedError {
    var errorDescription: String? { description }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

extension Configuration {
    var monitorDirectory: MonitorDirectory {
        MonitorDirectory(names: Dictionary(zoneminder.monitors.map { ($0.id, $0.name) }, uniquingKeysWith: { _, last in last }))
    }
}
