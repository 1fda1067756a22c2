import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// What every session of a fleet shares: the messages it sends and where it records alarms.
final class FleetShared: Sendable {
    let authMessage: String
    let filterMessage: String?
    let receipts: ReceiptTable
    let alarmBase: Int
    private let live = NIOLockedValueBox(0)

    init(authMessage: String, filterMessage: String?, receipts: ReceiptTable, alarmBase: Int) {
        self.authMessage = authMessage
        self.filterMessage = filterMessage
        self.receipts = receipts
        self.alarmBase = alarmBase
    }

    var liveSessions: Int { live.withLockedValue { $0 } }
    func sessionOpened() { live.withLockedValue { $0 += 1 } }
    func sessionClosed() { live.withLockedValue { $0 -= 1 } }
}

/// N websocket clients over TLS in this process, on their own 2-thread event loop
/// group: lean raw NIO pipelines (TLS, frame codec, one handler) so that 10,000 of
/// them cost the server, not the benchmark, most of the CPU.
public final class ClientFleet: Sendable {
    public let receipts: ReceiptTable
    public let alarmBase: Int
    private let group: MultiThreadedEventLoopGroup
    private let sslContext: NIOSSLContext
    private let shared: FleetShared
    private let channels = NIOLockedValueBox<[any Channel]>([])

    /// - Parameters:
    ///   - alarms: how many alarms will be timed; their event ids are `alarmBase ..< alarmBase + alarms`.
    ///   - monitor: the monitor the clients ask for, in `auth` and in a `control`/`filter` message.
    public init(clients: Int, alarms: Int, alarmBase: Int, monitor: Int, user: String = "bench", password: String = "bench", threads: Int = 2) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none  // the server's self-signed certificate; not what is measured
        sslContext = try NIOSSLContext(configuration: tls)
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        receipts = ReceiptTable(clients: clients, alarms: alarms)
        self.alarmBase = alarmBase
        shared = FleetShared(
            authMessage: #"{"event":"auth","data":{"user":"\#(user)","password":"\#(password)","appversion":"bench","monlist":"\#(monitor)","intlist":"0"},"token":""}"#,
            filterMessage: #"{"event":"control","data":{"type":"filter","monlist":"\#(monitor)","intlist":"0","appversion":"bench"},"token":""}"#,
            receipts: receipts, alarmBase: alarmBase)
    }

    /// Sessions that are logged in and still connected.
    public var liveSessions: Int { shared.liveSessions }

    /// Opens `count` sessions to 127.0.0.1:`port`, at most `window` handshakes at a time,
    /// each through `auth` → `Success`. Throws when any of them fails.
    public func open(count: Int, port: Int, window: Int = 64, timeout: Double = 180) throws(BenchmarkError) {
        let slots = DispatchSemaphore(value: window)
        let all = DispatchGroup()
        let failures = NIOLockedValueBox<(count: Int, first: String?)>((0, nil))
        for index in 0..<count {
            guard slots.wait(timeout: .now() + timeout) == .success else { break }
            all.enter()
            let loop = group.next()
            let opened = loop.makePromise(of: Void.self)
            let shared = self.shared
            let sslContext = self.sslContext
            let connect = ClientBootstrap(group: loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(Int64(timeout)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let session = SessionHandler(index: index, fleet: shared, opened: opened)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(UpgradeRequestHandler(session: session))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
            connect.whenFailure { opened.fail($0) }
            connect.whenSuccess { [channels] channel in channels.withLockedValue { $0.append(channel) } }
            opened.futureResult.whenComplete { result in
                if case .failure(let error) = result {
                    failures.withLockedValue { state in
                        state.count += 1
                        if state.first == nil { state.first = "\(error)" }
                    }
                }
                slots.signal()
                all.leave()
            }
        }
        guard all.wait(timeout: .now() + timeout) == .success else {
            throw .sessionsFailed(opened: liveSessions, wanted: count, reason: "timed out")
        }
        let failed = failures.withLockedValue { $0 }
        if failed.count > 0 {
            throw .sessionsFailed(opened: count - failed.count, wanted: count, reason: failed.first ?? "")
        }
    }

    /// Closes every session and stops the event loops.
    public func shutdown() {
        let open = channels.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
        for channel in open { channel.close(promise: nil) }
        try? group.syncShutdownGracefully()
    }
}
