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
        let broker = try MosquittoBroker.withLogin(directory: directory, port: try freeLoopbackPort(), user: "zmes", password: "secret")
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

    @Test("TLS: a CA that does not verify the broker is a certificate error, named; the right CA connects")
    func tls() async throws {
        let directory = Self.directory()
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=zmes-test-ca
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext
            """
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/bin/sh")
        openssl.arguments = ["-c", script]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try launch(openssl)
        waitForExit(openssl)
        #expect(openssl.terminationStatus == 0)
        let broker = try MosquittoBroker(
            directory: directory, port: try freeLoopbackPort(),
            extraConfig: ["certfile \(directory)/server.pem", "keyfile \(directory)/server.key"])
        defer { broker.stop() }
        let wrong = try MQTTConnection(options: MQTTConnectionOptions(
            host: "127.0.0.1", port: broker.port, tls: true, caFile: directory + "/other.pem", clientID: "zmes-wrong-ca"))
        wrong.start()
        #expect(await eventually { wrong.failure?.contains("certificate verify failed") == true }, "\(wrong.failure ?? "connected")")
        print("wrong CA: \(wrong.failure ?? "connected")")
        await wrong.stop()
        let right = try MQTTConnection(options: MQTTConnectionOptions(
            host: "127.0.0.1", port: broker.port, tls: true, caFile: directory + "/ca.pem", clientID: "zmes-right-ca"))
        right.start()
        #expect(await eventually { right.isConnected }, "\(right.failure ?? "")")
        try await right.publish(topic: "test/tls", payload: "x")
        await right.stop()
    }
}
