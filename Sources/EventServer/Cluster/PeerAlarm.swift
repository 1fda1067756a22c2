import Foundation
import Model

/// An alarm as one instance tells the others on a shared store: what it routed and on which channels.
/// It travels as JSON in a PostgreSQL `NOTIFY`, whose payload is at most 7,999 bytes.
struct PeerAlarm: Codable, Sendable, Equatable {
    /// The instance that routed it (`server.instance_id`), which ignores its own message.
    var origin: String
    var alarm: Alarm
    var channels: Set<DeliveryChannel>

    /// The message, or without the detection's JSON when that would make it too long (the text of the
    /// detection is kept: it is what clients show).
    func message(limit: Int) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        var text = String(decoding: try encoder.encode(self), as: UTF8.self)
        if text.utf8.count > limit, alarm.detection?.json != nil {
            var smaller = self
            smaller.alarm.detection?.json = nil
            text = String(decoding: try encoder.encode(smaller), as: UTF8.self)
        }
        return text
    }

    init(origin: String, alarm: Alarm, channels: Set<DeliveryChannel>) {
        self.origin = origin
        self.alarm = alarm
        self.channels = channels
    }

    init(message: String) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        self = try decoder.decode(PeerAlarm.self, from: Data(message.utf8))
    }
}
