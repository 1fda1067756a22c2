import CoreMetrics
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Prometheus
import Testing

@testable import EventServer

/// The rules a session's frames follow on their way out, on a channel whose clock and
/// writability the test controls.
@Suite("Session frames")
struct SessionFrameHandlerTests {
    let metrics = PrometheusCollectorRegistry()
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel

    init() throws {
        let settings = SessionFrameHandler.Settings(
            pingInterval: .seconds(30), closeTimeout: .seconds(5),
            dropped: Counter(label: "zmes_websocket_messages_dropped_total", factory: PrometheusMetricsFactory(registry: metrics)))
        channel = EmbeddedChannel(handler: SessionFrameHandler(settings: settings), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9000)).wait()
    }

    func written() throws -> [WebSocketFrame] {
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    func text(_ string: String) -> WebSocketFrame { SessionWriter.textFrame(string) }

    var droppedCount: String {
        var bytes: [UInt8] = []
        metrics.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("zmes_websocket_messages_dropped_total ") }.map(String.init) ?? "none"
    }

    @Test("messages for a peer that stopped reading are dropped and counted; they flow again once it reads")
    func slowPeer() throws {
        try channel.writeAndFlush(text("one")).wait()
        channel.isWritable = false  // the send buffer is past its high-water mark, and the channel says so
        channel.pipeline.fireChannelWritabilityChanged()
        try channel.writeAndFlush(text("two")).wait()
        try channel.writeAndFlush(text("three")).wait()
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        try channel.writeAndFlush(text("four")).wait()
        #expect(try written().map { String(buffer: $0.unmaskedData) } == ["one", "four"])
        #expect(droppedCount == "zmes_websocket_messages_dropped_total 2")
    }

    @Test("an alarm in wire form goes out as NIO's encoder writes it, under the same rules: dropped for a peer that stopped reading, nothing after a close")
    func wireForm() throws {
        let settings = SessionFrameHandler.Settings(
            pingInterval: .seconds(30), closeTimeout: .seconds(5),
            dropped: Counter(label: "zmes_websocket_messages_dropped_total", factory: PrometheusMetricsFactory(registry: metrics)))
        let handler = SessionFrameHandler(settings: settings)
        let channel = EmbeddedChannel(handlers: [WebSocketFrameEncoder(), handler], loop: EmbeddedEventLoop())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9000)).wait()
        func sent() throws -> [UInt8] {
            var bytes: [UInt8] = []
            while let part = try channel.readOutbound(as: ByteBuffer.self) { bytes += Array(part.readableBytesView) }
            return bytes
        }
        let alarm = WireFrame(SessionWriter.textFrame(#"{"event":"alarm"}"#))
        handler.write(encoded: alarm)
        // FIN and text, 17 bytes, unmasked: what a client reads as one text message.
        #expect(try sent() == [0x81, 17] + Array(#"{"event":"alarm"}"#.utf8))

        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        handler.write(encoded: alarm)
        #expect(try sent().isEmpty)
        #expect(droppedCount == "zmes_websocket_messages_dropped_total 1")

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        SessionWriter(channel: channel).close(.goingAway, reason: "bye")
        handler.write(encoded: alarm)
        #expect(try sent() == [0x88, 5, 0x03, 0xE9] + Array("bye".utf8), "the close frame, and nothing after it")
        _ = try? channel.finish()
    }

    @Test("nothing follows a close frame, and the socket closes if the peer never answers it")
    func closeIsLast() throws {
        SessionWriter(channel: channel).close(.policyViolation, reason: "NOAUTH")
        try channel.writeAndFlush(text("late")).wait()
        try channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [0x03, 0xE8]))).wait()
        let frames = try written()
        #expect(frames.map(\.opcode) == [.connectionClose])
        #expect(Array(frames.first?.unmaskedData.readableBytesView ?? []) == [0x03, 0xF0] + Array("NOAUTH".utf8))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "closed at the close timeout")
    }

    @Test("a ping every interval while the peer answers; a silent interval closes it with 1001")
    func pings() throws {
        loop.advanceTime(by: .seconds(30))
        #expect(try written().map(\.opcode) == [.ping])
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .pong, data: ByteBuffer()))
        loop.advanceTime(by: .seconds(30))
        #expect(try written().map(\.opcode) == [.ping])
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(30))  // no pong this time
        let frames = try written()
        #expect(frames.map(\.opcode) == [.connectionClose])
        #expect(String(buffer: frames.first?.unmaskedData.getSlice(at: 2, length: 12) ?? ByteBuffer()) == "ping timeout")
        #expect(!channel.isActive)
    }
}
