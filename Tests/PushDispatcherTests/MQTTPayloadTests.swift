import Foundation
import MQTTClient
import Model
import Testing

@testable import PushDispatcher

@Suite("MQTT payloads and brokers")
struct MQTTPayloadTests {
    let broker = try! MQTTBroker(name: "home", url: "mqtt://127.0.0.1:1883", clientID: "zmes-home")

    @Test("the compatible payload is the Perl server's: name, state alarm, eventtype, hookvalue, detection")
    func compatible() {
        let start = Alarm(monitorId: 3, monitorName: "Garage", eventId: 812, cause: "[a] detected:person:91%",
                          detection: Detection(text: "detected:person:91%", json: #"{"labels":["person"]}"#, frame: .alarm))
        #expect(MQTTPayloads.compatible(start) == #"{"detection":{"labels":["person"]},"eventid":812,"eventtype":"event_start","hookvalue":0,"monitor":3,"name":"Garage:(812) detected:person:91%","state":"alarm"}"#)
        let end = Alarm(monitorId: 3, monitorName: "Garage", eventId: 812, cause: "Motion All", kind: .end)
        #expect(MQTTPayloads.compatible(end) == #"{"detection":[],"eventid":812,"eventtype":"event_end","hookvalue":0,"monitor":3,"name":"Ended:Garage:(812) Motion All","state":"alarm"}"#)
    }

    @Test("Home Assistant discovery: a motion binary sensor and an alarm event per monitor, one device")
    func discovery() {
        let topics = MQTTTopics(broker: broker)
        #expect(topics.motionConfig(monitor: 3) == "homeassistant/binary_sensor/zmes-home/monitor_3_motion/config")
        #expect(topics.eventConfig(monitor: 3) == "homeassistant/event/zmes-home/monitor_3_alarm/config")
        #expect(MQTTPayloads.motionConfig(monitor: 3, name: "Garage", topics: topics) == #"{"availability_topic":"zoneminder/zmes/availability","device":{"identifiers":["zmes-home"],"manufacturer":"zmes","model":"ZoneMinder event server","name":"zmes"},"device_class":"motion","name":"Garage motion","payload_available":"online","payload_not_available":"offline","payload_off":"OFF","payload_on":"ON","state_topic":"zoneminder/3/motion","unique_id":"zmes-home_monitor_3_motion"}"#)
        #expect(MQTTPayloads.eventConfig(monitor: 3, name: "Garage", topics: topics) == #"{"availability_topic":"zoneminder/zmes/availability","device":{"identifiers":["zmes-home"],"manufacturer":"zmes","model":"ZoneMinder event server","name":"zmes"},"event_types":["alarm"],"name":"Garage alarm","payload_available":"online","payload_not_available":"offline","state_topic":"zoneminder/3/event","unique_id":"zmes-home_monitor_3_alarm"}"#)
        let alarm = Alarm(monitorId: 3, monitorName: "Garage", eventId: 812, cause: "Motion", detection: Detection(text: "detected:car:80%"))
        #expect(MQTTPayloads.alarmEvent(alarm) == #"{"cause":"Motion","detection":"detected:car:80%","detection_json":[],"event_id":812,"event_type":"alarm","monitor":3}"#)
    }

    @Test("broker URLs: mqtt:// and mqtts:// with default ports; anything else is refused with the fix")
    func urls() throws {
        let plain = try MQTTBroker(name: "a", url: "mqtt://broker.lan")
        #expect(plain.port == 1883 && !plain.tls && plain.clientID == "zmes-a")
        let secure = try MQTTBroker(name: "b", url: "mqtts://broker.lan")
        #expect(secure.port == 8883 && secure.tls)
        for bad in ["http://broker:1883", "mqtt://", "mqtt://user:pw@broker", "broker:1883", "mqtt://broker:1883/path"] {
            #expect(throws: MQTTBrokerURLError.self, "\(bad)") { try MQTTBroker(name: "x", url: bad) }
        }
    }

    @Test("the last will is offline on the availability topic; the password never shows")
    func connectionOptions() {
        var broker = broker
        broker.username = "zmes"
        broker.password = "hunter2"
        let options = broker.connectionOptions
        #expect(options.will == .init(topic: "zoneminder/zmes/availability", payload: "offline", retain: true))
        #expect(options.subscriptions == ["homeassistant/status"])
        #expect(!"\(options)".contains("hunter2"))
    }

    @Test("a job for a broker no longer configured fails with that reason")
    func removedBroker() async throws {
        let sender = try MQTTSender(brokers: [], monitors: [:], logger: .init(label: "test"))
        let message = PushMessage(
            jobID: 1, token: "gone", platform: nil, badge: 0, alarm: Alarm(monitorId: 1, monitorName: "A", eventId: 1, cause: "x"),
            title: "", body: "", expiresAt: Date())
        #expect(await sender.send(message) == .failed(reason: "MQTT broker 'gone' is not in the configuration (mqtt:) any more"))
    }
}
