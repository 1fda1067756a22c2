import Foundation
import Synchronization
import ZmesTestSupport

/// A Mosquitto broker, a persistent subscriber and a `zmes.yml` with that broker in `mqtt:`.
struct MQTTFixture {
    let directory: String
    let broker: MosquittoBroker
    let subscriber: MosquittoSubscriber

    /// - Parameter mqtt: more keys of the broker's entry, e.g. `discovery: false`.
    static func with<T>(mqtt: [String] = [], sections: String = "", _ body: (MQTTFixture) async throws -> T) async throws -> T {
        let directory = Zmes.makeDirectory()
        let broker = try MosquittoBroker(directory: directory, port: try freeLoopbackPort())
        defer { broker.stop() }
        let subscriber = try MosquittoSubscriber(
            port: broker.port, clientID: "e2e-subscriber", topics: ["zoneminder/#", "homeassistant/#"], output: directory + "/subscriber.txt")
        defer { subscriber.stop() }
        let entry = (["name: home", "url: \"mqtt://127.0.0.1:\(broker.port)\"", "client_id: zmes-home"] + mqtt).joined(separator: ", ")
        try Zmes.writeConfig(directory, sections: "mqtt:\n  - {\(entry)}\n" + sections)
        return try await body(MQTTFixture(directory: directory, broker: broker, subscriber: subscriber))
    }

    /// Posts alarms to the admin API from 8 threads, each waiting `pause` after a post; returns the event ids accepted (202).
    static func postAlarms(port: Int, events: [Int], monitor: Int = 1, name: String = "Porch", pause: TimeInterval = 0) async -> Set<Int> {
        await Task.detached {
            let accepted = Mutex(Set<Int>())
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                for index in stride(from: worker, to: events.count, by: 8) {
                    let body = #"{"monitorId":\#(monitor),"name":"\#(name)","eventId":\#(events[index]),"cause":"Motion"}"#
                    let request = [
                        "POST /api/v1/alarms HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "Content-Type: application/json",
                        "Content-Length: \(body.utf8.count)",
                    ].joined(separator: "\r\n") + "\r\n\r\n" + body
                    if let response = try? RawSocket.http(port: port, request), response.status == 202 {
                        accepted.withLock { _ = $0.insert(events[index]) }
                    }
                    if pause > 0 { Thread.sleep(forTimeInterval: pause) }
                }
            }
            return accepted.withLock { $0 }
        }.value
    }

    /// The event ids of the compatible messages the subscriber got on `zoneminder/<monitor>`, with repeats.
    func eventIDs(monitor: Int = 1) -> [Int] {
        subscriber.messages.filter { $0.topic == "zoneminder/\(monitor)" }.compactMap { message in
            (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as? [String: Any])?["eventid"] as? Int
        }
    }
}
