import Foundation
import Logging
import Model
import NIOEmbedded
import NIOWebSocket
import Storage
import Testing

@testable import EventServer

/// Random and mutated frames against the protocol parser and the message handler:
/// no crash, no hang, and every reply a well-formed protocol message.
@Suite("Fuzzing the protocol")
struct FuzzTests {
    static let seeds = [
        #"{"event":"auth","data":{"user":"alice","password":"secret","appversion":"1.8.001","monlist":"1,2","intlist":"0,60"},"token":""}"#,
        #"{"event":"control","data":{"type":"filter","monlist":"1,2,4","intlist":"0,0,3600"}}"#,
        #"{"event":"control","data":{"type":"version"}}"#,
        #"{"event":"push","data":{"type":"token","platform":"ios","token":"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789","state":"enabled"}}"#,
        #"{"event":"push","data":{"type":"badge","badge":"0"},"token":"abc"}"#,
        #"{"event":"push","data":{"type":"badge","badge":0}}"#,
    ]

    /// A deterministic generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func frame(_ index: Int, _ random: inout SplitMix) -> String {
        let alphabet = Array(#"{}[]":,0123456789.-eEtrufalsn \"event""data""type""auth""push""control""token""badge"\u{0}é🚨"#.unicodeScalars)
        switch index % 4 {
        case 0:  // random text
            return String(String.UnicodeScalarView((0..<Int.random(in: 0...80, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        case 1:  // random bytes as the websocket layer would decode them
            let bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            return String(decoding: bytes, as: UTF8.self)
        default:  // a real message with a few bytes changed, cut or duplicated
            var bytes = Array(seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(bytes[position], at: position)
                default: bytes = Array(bytes[..<position])
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test("100,000 random and mutated frames: the parser never crashes and always decides")
    func parser() async {
        var random = SplitMix(state: 20_261_124)
        var parsed = 0
        var refused = 0
        for index in 0..<100_000 {
            // Seconds of pure CPU: let the other suites' servers and clients run in between.
            if index.isMultiple(of: 1_000) { await Task.yield() }
            do {
                let frame = try ClientFrame(text: Self.frame(index, &random))
                #expect(!frame.event.isEmpty)
                parsed += 1
            } catch {
                refused += 1
            }
        }
        #expect(parsed + refused == 100_000)
        #expect(parsed > 1_000)  // mutations keep many frames valid: the handler paths get exercised too
    }

    @Test("20,000 frames through a session's message handler: every reply is a well-formed protocol message")
    func handler() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-fuzz-\(UUID().uuidString)").path
        let store = try SQLiteStore(path: directory + "/zmes.sqlite")
        try await store.saveUser(User(name: "alice", passwordHash: await PasswordHasher.hash("secret", cost: 4), monitors: .all))
        var configuration = Configuration()
        configuration.store.path = directory + "/zmes.sqlite"
        let sessions = SessionRegistry()
        let context = ServerContext(
            configuration: configuration, store: store, sessions: sessions, auth: LocalAuthBackend(store: store),
            rateLimiter: AuthRateLimiter(maxFailures: 1_000_000, window: 60), logger: .init(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        let channel = NIOAsyncTestingChannel()  // collects the frames the handler writes
        let writer = SessionWriter(channel: channel)
        let id = await sessions.open(address: "fuzz", writer: writer)
        var handler = MessageHandler(context: context, state: SessionState(id: id, address: "fuzz", openedAt: Date()), writer: writer)
        await handler.handleText(Self.seeds[0])  // logged in, so the other paths run too
        var random = SplitMix(state: 42)
        for index in 0..<20_000 {
            await handler.handleText(Self.frame(index, &random))
            if handler.isClosing {  // a bad re-auth closes the session: start a fresh one, as a client would
                handler = MessageHandler(context: context, state: SessionState(id: id, address: "fuzz", openedAt: Date()), writer: writer)
                await handler.handleText(Self.seeds[0])
            }
        }
        var replies = 0
        while let frame = try await channel.readOutbound(as: WebSocketFrame.self) {
            guard frame.opcode == .text else { continue }
            let text = String(buffer: frame.unmaskedData)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
            #expect(object["event"] is String, "\(text)")
            #expect(object["status"] as? String == "Success" || object["status"] as? String == "Fail", "\(text)")
            if object["status"] as? String == "Fail" {
                #expect((object["reason"] as? String)?.isEmpty == false, "\(text)")
                #expect(object["type"] is String, "\(text)")
            }
            replies += 1
        }
        #expect(replies > 10_000)
    }
}
