import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import ZmesBenchSupport

/// The bare ceiling for fan-out: a minimal wss server on plain swift-nio, run as its
/// own process like zmes. Same TLS certificate, same number of event loops, same
/// alarm JSON; it answers `auth` with `Success` without checking anything, and on
/// `POST /api/v1/alarms` writes one shared frame buffer to every logged-in channel,
/// one task per event loop. No store, no routing, no per-session queue.
enum ReferenceServer {
    static func run(port: Int, adminPort: Int, certificate: String, key: String) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let sslContext = try NIOSSLContext(configuration: tls)
        let hub = Hub()
        let webSocket = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 16,
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture([:]) },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(BroadcastSessionHandler(hub: hub))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                }.flatMap {
                    channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        _ = try AlarmIngestHandler.bind(port: adminPort, group: group, hub: hub).wait()
        progress("reference server listening on \(port), admin \(adminPort)")
        try webSocket.closeFuture.wait()
    }
}

/// The logged-in channels, grouped by event loop so a broadcast is one task per loop.
final class Hub: Sendable {
    private struct Loop {
        let eventLoop: any EventLoop
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let loops = NIOLockedValueBox<[ObjectIdentifier: Loop]>([:])

    var count: Int { loops.withLockedValue { $0.values.reduce(0) { $0 + $1.channels.count } } }

    func add(_ channel: any Channel) {
        loops.withLockedValue { loops in
            let key = ObjectIdentifier(channel.eventLoop)
            loops[key, default: Loop(eventLoop: channel.eventLoop)].channels[ObjectIdentifier(channel)] = channel
        }
    }

    func remove(_ channel: any Channel) {
        _ = loops.withLockedValue { $0[ObjectIdentifier(channel.eventLoop)]?.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Writes `text` as one text frame to every channel; returns how many.
    func broadcast(_ text: String) -> Int {
        let payload = ByteBuffer(string: text)
        let snapshot = loops.withLockedValue { Array($0.values) }
        for loop in snapshot {
            let channels = Array(loop.channels.values)
            loop.eventLoop.execute {
                for channel in channels {
                    channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: payload), promise: nil)
                }
            }
        }
        return snapshot.reduce(0) { $0 + $1.channels.count }
    }
}

/// One reference session: `auth` gets `Success` and joins the hub; pings get pongs.
final class BroadcastSessionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private static let success = #"{"event":"auth","type":"","version":"7.0","status":"Success","reason":"","server":"reference"}"#
    private let hub: Hub

    init(hub: Hub) {
        self.hub = hub
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let text = String(buffer: frame.unmaskedData)
            if text.contains("\"auth\"") {
                let reply = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: Self.success))
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
                hub.add(context.channel)
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        hub.remove(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// `POST /api/v1/alarms` (broadcast, 202) and `GET /healthz`, as zmes's admin API answers them.
final class AlarmIngestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let hub: Hub
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(hub: Hub) {
        self.hub = hub
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let (status, reply): (HTTPResponseStatus, String)
            if head.method == .POST, head.uri == "/api/v1/alarms" {
                let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
                let message = Self.alarmJSON(
                    eventId: "\(object["eventId"] ?? 0)", monitorId: "\(object["monitorId"] ?? 0)",
                    name: object["name"] as? String ?? "", cause: object["cause"] as? String ?? "Alarm")
                (status, reply) = (.accepted, "{\"websocketDeliveries\":\(hub.broadcast(message))}")
            } else if head.uri == "/healthz" {
                (status, reply) = (.ok, "{\"status\":\"ok\",\"listeners\":{\"websocket\":\"ok\"},\"authenticatedSessions\":\(hub.count)}")
            } else {
                (status, reply) = (.notFound, "{}")
            }
            var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", "\(reply.utf8.count)")])
            headers.add(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reply)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        }
    }

    /// The references' admin side, on plain NIO: it is not what is measured.
    static func bind(port: Int, group: any EventLoopGroup, hub: Hub) -> EventLoopFuture<any Channel> {
        ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AlarmIngestHandler(hub: hub))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port)
    }

    /// The alarm message in the shape zmes sends (PROTOCOL.md, "Alarms").
    static func alarmJSON(eventId: String, monitorId: String, name: String, cause: String) -> String {
        #"{"event":"alarm","type":"","status":"Success","events":[{"EventId":"\#(eventId)","Name":"\#(name)","MonitorId":"\#(monitorId)","Cause":"\#(cause)"}]}"#
    }
}
