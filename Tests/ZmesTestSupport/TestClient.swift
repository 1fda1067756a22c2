import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Testing

/// A real websocket client over real TLS, as a phone would connect.
public final class TestClient: Sendable {
    private let messages: Inbox
    private let outbound: WebSocketOutboundWriter
    private let run: Task<WebSocketCloseFrame?, any Error>

    private init(messages: Inbox, outbound: WebSocketOutboundWriter, run: Task<WebSocketCloseFrame?, any Error>) {
        self.messages = messages
        self.outbound = outbound
        self.run = run
    }

    /// Connects to `port` on loopback: `wss` trusting `certificatePath`, or `ws` when it is `nil`;
    /// `headers` go on the upgrade request (e.g. `X-Forwarded-For`, as a proxy would add it).
    public static func connect(
        port: Int, certificatePath: String?, path: String = "/", headers: [(name: String, value: String)] = []
    ) async throws -> TestClient {
        var fields = HTTPFields()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { throw TestFailure("not a header name: \(header.name)") }
            fields.append(HTTPField(name: name, value: header.value))
        }
        let inbox = Inbox()
        let scheme = certificatePath == nil ? "ws" : "wss"
        var tls: TLSConfiguration?
        if let certificatePath {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(certificatePath)
            tls = configuration
        }
        let (stream, continuation) = AsyncStream<WebSocketOutboundWriter>.makeStream()
        let url = "\(scheme)://localhost:\(port)\(path)"
        let run = Task {
            defer { continuation.finish() }
            return try await WebSocketClient.connect(
                url: url,
                configuration: .init(maxFrameSize: 4 << 20, additionalHeaders: fields, autoPing: .disabled),
                tlsConfiguration: tls,
                logger: Logger(label: "test-client")
            ) { inbound, outbound, _ in
                continuation.yield(outbound)
                do {
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let text) = message { await inbox.push(text) }
                    }
                } catch {}
                await inbox.finish()
            }
        }
        let opened = try await withTimeout(.seconds(20), "websocket connection to \(url)") {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        }
        guard let outbound = opened else {
            _ = try await withTimeout(.seconds(10), "websocket connection to \(url)") { try await run.value }
            throw TestFailure("websocket connection to \(url) did not open")
        }
        return TestClient(messages: inbox, outbound: outbound, run: run)
    }

    public func send(_ text: String) async throws {
        let outbound = self.outbound
        try await withTimeout(.seconds(10), "sending a message") { try await outbound.writeTextMessage(text) }
    }

    public func send(json: [String: Any]) async throws {
        try await send(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
    }

    public func sendFrame(_ frame: WebSocketFrame) async throws {
        try await outbound.write(.custom(frame))
    }

    public func sendBinary(_ bytes: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// The next message as a JSON object; fails the test on timeout.
    public func receive(timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        guard let text = await messages.next(timeout: timeout) else {
            throw TestFailure("no message within \(timeout)")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object
    }

    /// The raw text of the next message.
    public func receiveText(timeout: Duration = .seconds(5)) async -> String? {
        await messages.next(timeout: timeout)
    }

    /// Proves nothing else is queued for this client: a version request's reply must come next.
    public func expectNoPendingMessage(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await send(json: ["event": "control", "data": ["type": "version"]])
        let next = try await receive()
        #expect(next["event"] as? String == "control", "unexpected message: \(next)", sourceLocation: sourceLocation)
        #expect(next["type"] as? String == "version", sourceLocation: sourceLocation)
    }

    /// Waits until the server closes the connection and returns the close code it sent.
    public func closeCode(timeout: Duration = .seconds(10)) async throws -> WebSocketErrorCode? {
        let run = self.run
        return try await withTimeout(timeout, "waiting for the server to close the connection") { try await run.value?.closeCode }
    }

    public func close() async {
        try? await outbound.close(.normalClosure, reason: nil)
        _ = try? await closeCode(timeout: .seconds(5))
    }

    /// Authenticates and checks the reply is a success.
    public func login(_ user: String, _ password: String, token: String = "", extra: [String: Any] = [:]) async throws {
        var data: [String: Any] = ["user": user, "password": password, "appversion": "1.8.001"]
        data.merge(extra) { _, new in new }
        try await send(json: ["event": "auth", "data": data, "token": token])
        let reply = try await receive()
        #expect(reply["status"] as? String == "Success", "login failed: \(reply)")
    }

    /// Registers `token` as a device over this connection (a `push` `token` message naming it on
    /// the top level too, as zmNinja sends it) and checks that no reply came: a success has none.
    public func registerDevice(
        token: String, platform: String = "ios", state: String = "enabled",
        monlist: String? = nil, intlist: String? = nil, appVersion: String? = nil
    ) async throws {
        var data: [String: Any] = ["type": "token", "platform": platform, "token": token, "state": state]
        if let monlist { data["monlist"] = monlist }
        if let intlist { data["intlist"] = intlist }
        if let appVersion { data["appversion"] = appVersion }
        try await send(json: ["event": "push", "data": data, "token": token])
        try await expectNoPendingMessage()
    }
}

/// Messages received and not yet read, with a timed wait for the next one.
actor Inbox {
    private var buffer: [String] = []
    private var waiter: (id: Int, continuation: CheckedContinuation<String?, Never>)?
    private var finished = false
    private var nextWaiterID = 0

    func push(_ text: String) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: text)
        } else {
            buffer.append(text)
        }
    }

    func finish() {
        finished = true
        waiter?.continuation.resume(returning: nil)
        waiter = nil
    }

    func next(timeout: Duration) async -> String? {
        if !buffer.isEmpty { return buffer.removeFirst() }
        if finished { return nil }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
