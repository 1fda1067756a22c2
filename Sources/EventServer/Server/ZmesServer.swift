import Foundation
import Logging
import Model
import ServiceLifecycle
import Storage

/// The event server: the websocket listener, the admin listener and the alarm's path over one store.
///
/// `run` assembles the parts (`DeliveryPipeline`), the listeners and the background services into one
/// service group, and runs it until SIGTERM/SIGINT or the `stop` trigger (`ServerLifecycle`).
public struct ZmesServer: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    /// Fills in what a source left out (e.g. the monitor's name).
    public var completeAlarm: @Sendable (Alarm) -> Alarm = { $0 }
    /// How the first-start admin password is shown to the operator (once).
    public var announce: @Sendable (String) -> Void = { print($0) }

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT arrive (with `handleSignals`) or `stop` is triggered; then closes sessions and returns.
    public func run(
        handleSignals: Bool = true,
        stop: ShutdownTrigger? = nil,
        onReady: @escaping @Sendable (BoundPorts) async -> Void = { _ in }
    ) async throws {
        let instanceId = InstanceID.resolve(configuration.server.instanceId)
        let location = configuration.store.location
        try await withStore(location, instanceId: instanceId, logger: logger) { store in
            logger.info("store opened", metadata: ["store": "\(location)", "instance": "\(instanceId)"])
            try await run(store: store, instanceId: instanceId, handleSignals: handleSignals, stop: stop, onReady: onReady)
        }
    }

    /// The server over an open store: it returns before the store is closed.
    private func run(
        store: any Store, instanceId: String, handleSignals: Bool, stop: ShutdownTrigger?, onReady: @escaping @Sendable (BoundPorts) async -> Void
    ) async throws {
        let pipeline = try await DeliveryPipeline.build(configuration: configuration, store: store, instanceId: instanceId, logger: logger)
        defer { pipeline.shutdown() }
        if configuration.auth.enabled && configuration.auth.backend == .local {
            try await FirstUser(store: pipeline.store, announce: announce).createIfNeeded()
        }
        let tls = try TLSSetup.resolve(configuration.server.tls, dataDirectory: configuration.dataDirectory, logger: logger)
        let adminTLS = try TLSSetup.resolve(configuration.admin.tls, dataDirectory: configuration.dataDirectory, logger: logger)
        let ready = ReadinessLatch(onReady: onReady)
        let listeners = ListenerState()
        let webSocket = WebSocketListener(
            context: pipeline.context, tls: tls?.contexts,
            connections: ConnectionLimit.forConfiguration(configuration.server, logger: logger)
        ) { port in
            await listeners.webSocketBound(port)
            await ready.set(webSocket: port)
        }
        let admin = try AdminListener.make(pipeline: pipeline, listeners: listeners, tls: adminTLS?.contexts, completeAlarm: completeAlarm) { port in
            await ready.set(admin: port)
        }
        let address = configuration.server
        var services: [any Service] = [
            ListenerService(webSocket, binding: .init(address: address.address, port: address.port, keys: "server.address/server.port")),
            ListenerService(
                admin, binding: .init(address: configuration.admin.address, port: configuration.admin.port, keys: "admin.address/admin.port")),
        ]
        services += pipeline.backgroundServices(configuration: configuration, logger: logger)
        try await ServerLifecycle(
            services: services, sessions: pipeline.context.sessions,
            reload: {
                await pipeline.reload(tls: tls, logger: logger)
                adminTLS?.reloadCertificate(logger: logger)
            },
            logger: logger
        ).run(handleSignals: handleSignals, stop: stop)
        logger.info("stopped")
    }
}
