import Foundation
import Model

/// The JSON zmes publishes (docs/MQTT.md shows each), with sorted keys so every message of the same
/// alarm is the same bytes.
enum MQTTPayloads {
    /// The Perl server's message on `<topic>/<monitor id>`: `monitor`, `name` (`<Name>:(<eid>) <cause>`,
    /// `Ended:` in front at the end), `state` (always `alarm`, as there), `eventid`, `hookvalue` (0: zmes
    /// routes an alarm only when its hook, if any, said to), `eventtype` (`event_start`/`event_end`) and
    /// `detection` (the hook's JSON, `[]` without one).
    static func compatible(_ alarm: Alarm) -> String {
        var name = "\(alarm.monitorName):(\(alarm.eventId)) \(strippedCause(alarm.cause))"
        if alarm.kind == .end { name = "Ended:" + name }
        return encode([
            "monitor": alarm.monitorId, "name": name, "state": "alarm", "eventid": alarm.eventId, "hookvalue": 0,
            "eventtype": alarm.kind == .start ? "event_start" : "event_end", "detection": detection(alarm),
        ])
    }

    /// The Home Assistant event entity's message for an alarm's start.
    static func alarmEvent(_ alarm: Alarm) -> String {
        encode([
            "event_type": "alarm", "monitor": alarm.monitorId, "event_id": alarm.eventId, "cause": strippedCause(alarm.cause),
            "detection": alarm.detection?.text ?? "", "detection_json": detection(alarm),
        ])
    }

    /// `homeassistant/binary_sensor/<node>/monitor_<id>_motion/config`.
    static func motionConfig(monitor: Int, name: String, topics: MQTTTopics) -> String {
        encode(entity(monitor: monitor, topics: topics).merging([
            "name": "\(name) motion", "unique_id": "\(topics.node)_monitor_\(monitor)_motion", "device_class": "motion",
            "state_topic": topics.motionState(monitor: monitor), "payload_on": "ON", "payload_off": "OFF",
        ]) { $1 })
    }

    /// `homeassistant/event/<node>/monitor_<id>_alarm/config`.
    static func eventConfig(monitor: Int, name: String, topics: MQTTTopics) -> String {
        encode(entity(monitor: monitor, topics: topics).merging([
            "name": "\(name) alarm", "unique_id": "\(topics.node)_monitor_\(monitor)_alarm", "event_types": ["alarm"],
            "state_topic": topics.alarmEvent(monitor: monitor),
        ]) { $1 })
    }

    /// What both entities of a monitor share: zmes as their device, and its availability.
    private static func entity(monitor: Int, topics: MQTTTopics) -> [String: Any] {
        [
            "availability_topic": topics.availability, "payload_available": MQTTTopics.online,
            "payload_not_available": MQTTTopics.offline,
            "device": ["identifiers": [topics.node], "name": "zmes", "manufacturer": "zmes", "model": "ZoneMinder event server"],
        ]
    }

    /// The Perl server drops a hook's `[a] `/`[s] ` frame prefix from the cause.
    static func strippedCause(_ cause: String) -> String {
        let characters = Array(cause)
        guard characters.count >= 3, characters[0] == "[", characters[2] == "]" else { return cause }
        return String(characters.dropFirst(4))
    }

    private static func detection(_ alarm: Alarm) -> Any {
        guard let json = alarm.detection?.json, let data = json.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        else { return [Any]() }
        return value
    }

    private static func encode(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
