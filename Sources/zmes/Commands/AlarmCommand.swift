import ArgumentParser
import CurlClient
import EventServer
import Foundation

struct AlarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarm", abstract: "Inject an alarm into the running server (what a camera system would raise).")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Monitor id.") var monitor: Int
    @Option(help: "Event id (default: a fresh one).") var event: Int?
    @Option(help: "Monitor name (default: from the configuration's monitor list).") var name: String?
    @Option(help: "Cause, e.g. \"Motion: Driveway\".") var cause: String = "Alarm"
    @Flag(help: "Report the end of the event instead of its start.") var end = false

    func run() async throws {
        let configuration = try options.loadConfiguration()
        var host = configuration.admin.address
        if host == "0.0.0.0" || host == "::" { host = "127.0.0.1" }
        if host.contains(":") { host = "[\(host)]" }
        let url = "http://\(host):\(configuration.admin.port)/api/v1/alarms"
        var body: [String: String] = ["monitorId": String(monitor), "cause": cause, "kind": end ? "end" : "start"]
        if let event { body["eventId"] = String(event) }
        if let name { body["name"] = name }
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if !configuration.admin.token.isEmpty {
            headers.append(("authorization", "Bearer \(configuration.admin.token)"))
        }
        // The server answers once the alarm's detection hook is done, or after at most hooks.wait.
        var clientOptions = CurlClient.Configuration()
        clientOptions.responseTimeout = .seconds(configuration.hooks.wait + 30)
        let client = CurlClient(configuration: clientOptions)
        defer { client.shutdown() }
        let response: CurlResponse
        do {
            response = try await client.send(CurlRequest(url: url, headers: headers, body: [UInt8](try JSONEncoder().encode(body))))
        } catch {
            throw CommandFailure("cannot reach zmes at \(url): is `zmes serve` running? (\(error))")
        }
        guard response.status == 202 else {
            throw CommandFailure("zmes refused the alarm (HTTP \(response.status)): \(response.bodyText)")
        }
        print(response.bodyText)
    }
}
