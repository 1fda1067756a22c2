import ArgumentParser
import EventServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        guard let url = URL(string: "http://\(host):\(configuration.admin.port)/api/v1/alarms") else {
            throw CommandFailure("admin.address '\(configuration.admin.address)' does not make a URL")
        }
        var body: [String: String] = ["monitorId": String(monitor), "cause": cause, "kind": end ? "end" : "start"]
        if let event { body["eventId"] = String(event) }
        if let name { body["name"] = name }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if !configuration.admin.token.isEmpty {
            request.setValue("Bearer \(configuration.admin.token)", forHTTPHeaderField: "Authorization")
        }
        request.httpBody = try JSONEncoder().encode(body)
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure("cannot reach zmes at \(url.absoluteString): is `zmes serve` running? (\(error.localizedDescription))")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let http = response as? HTTPURLResponse, http.statusCode == 202 else {
            throw CommandFailure("zmes refused the alarm: \(text)")
        }
        print(text)
    }
}
