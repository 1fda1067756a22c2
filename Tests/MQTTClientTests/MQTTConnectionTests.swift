import Foundation
import MQTTClient
import Testing
import ZmesTestSupport

@Suite("MQTTConnection against a real Mosquitto")
struct MQTTConnectionTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "zmes-mqtt-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("publish returns on PUBACK; the subscriber sees the message", arguments: MQTTVersion.allCases)
    func publishes(version: MQTTVersion) async throws {
        let directory = Self.directory()
        let broker = try MosquittoBroker(directory: directory, port: try freeLoopbackPort())
        defer { broker.stop() }
        let subscriber = try MosquittoSubscriber(port: broker.port, clientID: "sub", topics: ["test/#"], output: directory + "/sub.txt")
        defer { subscriber.stop() }
        let connection = try MQTTConnection(options: MQTTConnectionOptions(host: "127.0.0.1", port: broker.port, clientID: "zmes-test", version: version))
        connection.start()
        #expect(await eventually { connection.isConnected })
        try await connection.publish(topic: "test/1", payload: "{\"a\":1}", qos: .atLeastOnce, retain: false)
        #expect(await eventually { subscriber.messages.contains { $0.topic == "test/1" && $0.payload == "{\"a\":1}" } })
        await connection.stop()
        await #expect(throws: MQTTError.stopped) { try await connection.publish(topic: "test/1", payload: "x") }
    }

    @Test("a broker that is down fails the publish with a reason; it connects again when the broker is back")
    func reconnects() async throws {
        let directory = Self.directory()
        let broker = try MosquittoBroker(directory: directory, port: try freeLoopbackPort())
        defer { broker.stop() }
        let connection = try MQTTConnection(options: MQTTConnectionOptions(host: "127.0.0.1", port: broker.port, clientID: "zmes-test"))
        connection.start()
        #expect(await eventually { connection.isConnected })
        broker.stop()
        #expect(await eventually { !connection.isConnected })
        do {
            try await connection.publish(topic: "test/1", payload: "x")
            Issue.record("published with the broker down")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(broker.port)"), "\(error)")
        }
        try broker.start()
        #expect(await eventually(timeout: .seconds(40)) { connection.isConnected })
        try await connection.publish(topic: "test/1", payload: "x")
        await connection.stop()
    }

    @Test("a wrong password is the broker's refusal, named")
    func wrongPassword() async throws {
        let directory = Self.directory()
        let passwords = directory + "/passwords"
        try "zmes:secret\n".write(toFile: passwords, atomically: true, encoding: .utf8)
        let hash = Process()
        hash.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        hash.arguments = ["-U", passwords]
        try launch(hash)
        waitForExit(hash)
        let broker = try MosquittoBroker(directory: directory, port: try freeLoopbackPort(), passwords: passwords)
        defer { broker.stop() }
        let wrong = try MQTTConnection(options: MQTTConnectionOptions(
            host: "127.0.0.1", port: broker.port, username: "zmes", password: "wrong", clientID: "zmes-wrong"))
        wrong.start()
        #expect(await eventually { wrong.failure?.contains("refused") == true })
        #expect(wrong.failure?.contains("wrong") == false)
        await wrong.stop()
        let right = try MQTTConnection(options: MQTTConnectionOptions(
            host: "127.0.0.1", port: broker.port, username: "zmes", password: "secret", clientID: "zmes-right"))
        right.start()
        #expect(await eventually { right.isConnected })
        try await right.publish(topic: "test/1", payload: "x")
        await right.stop()
    }
}
