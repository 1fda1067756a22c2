import ArgumentParser
import EventServer
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the event server in the foreground until SIGINT or SIGTERM.")

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: log.level, info).")
    var logLevel: String?

    func run() async throws {
        let configuration = try options.loadConfiguration()
        guard let level = Logger.Level(rawValue: logLevel ?? configuration.log.level) else {
            throw CommandFailure("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "zmes")
        // Every session is an open file: start from the hard limit, not the 1,024 many shells and units give.
        let before = OpenFileLimit.current()
        if let figures = OpenFileLimit.raiseSoftLimit() {
            logger.info(
                "open files limit",
                metadata: ["soft": "\(figures.soft)", "hard": "\(figures.hard)", "was": "\(before?.soft ?? figures.soft)"])
        }
        var server = ZmesServer(configuration: configuration, logger: logger)
        let directory = configuration.monitorDirectory
        server.completeAlarm = { directory.completing($0) }
        server.announce = { message in
            FileHandle.standardOutput.write(Data((message + "\n").utf8))
        }
        do {
            try await server.run { ports in
                logger.info(
                    "listening",
                    metadata: [
                        "websocket": "\(configuration.server.tls.enabled ? "wss" : "ws")://\(hostInURL(configuration.server.address)):\(ports.webSocket)",
                        "admin": "http://\(hostInURL(configuration.admin.address)):\(ports.admin)",
                    ])
            }
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// An IPv6 address in a URL is written in brackets: `[::]:9000`.
private func hostInURL(_ address: String) -> String {
    address.contains(":") ? "[\(address)]" : address
}
