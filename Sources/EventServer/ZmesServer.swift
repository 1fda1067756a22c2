import CurlClient
import Foundation
import Logging
import Model
import PushDispatcher
import Prometheus
import ServiceLifecycle
import UnixSignals
import Storage
import ZoneMinder

/// The ports the listeners actually bound (they differ from the configuration when it says 0).
public struct BoundPorts: Sendable, Equatable {
    public var webSocket: Int
    public var admin: Int
}

/// The event server: the websocket listener, the admin listener and the alarm router over one store.
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
        let store = try Store(path: configuration.store.path)
        let zoneMinderClient = CurlZoneMinderTransport.makeClient()
        defer { zoneMinderClient.shutdown() }
        let zoneMinderAPI = ZoneMinderAPI(baseURL: configuration.zoneminder.url, transport: CurlZoneMinderTransport(client: zoneMinderClient))
        let auth: any AuthBackend
        switch (configuration.auth.enabled, configuration.auth.backend) {
        case (false, _): auth = OpenAuthBackend()
        case (true, .local): auth = LocalAuthBackend(store: store)
        case (true, .zoneminder):
            auth = ZoneMinderAuthBackend(
                api: zoneMinderAPI, store: store, cacheLifetime: configuration.zoneminder.loginCache,
                recheckAfter: configuration.auth.zoneminderRecheck, grace: configuration.auth.zoneminderGrace, logger: logger)
        }
        if configuration.auth.enabled && configuration.auth.backend == .local {
            try await createFirstUserIfNeeded(store)
        }
        let sessions = SessionRegistry()
        let metrics = PrometheusCollectorRegistry()
        let telemetry = Telemetry(factory: PrometheusMetricsFactory(registry: metrics))
        var context = ServerContext(
            configuration: configuration,
            store: store,
            sessions: sessions,
            auth: auth,
            rateLimiter: AuthRateLimiter(
                limits: .init(
                    maxFailuresPerAddress: configuration.auth.maxFailures, maxFailuresPerUser: configuration.auth.maxFailuresPerUser,
                    window: configuration.auth.failureWindow)),
            logger: logger)
        context.telemetry = telemetry
        let credentials = try await CredentialSet.load(from: store, logger: logger)
        let httpClient = CurlClient()
        defer { httpClient.shutdown() }
        let routeTable = RouteTable(routes: credentials.routes(client: httpClient, store: store, logger: logger, telemetry: telemetry), selection: credentials.selection)
        let dispatcher = Dispatcher(
            store: store, table: routeTable,
            template: MessageTemplate(title: configuration.push.title, body: configuration.push.body),
            maxAge: TimeInterval(configuration.push.maxAge), logger: logger, telemetry: telemetry)
        for credential in credentials.credentials {
            logger.info(
                "push credential loaded",
                metadata: ["credential": "\(credential.name)", "provider": "\(credential.provider.rawValue)", "broken": "\(credentials.broken[credential.name] ?? "no")"])
        }
        var router = AlarmRouter(
            store: store, sessions: sessions, auth: auth, pushEnabled: configuration.push.enabled,
            providers: routeTable, logger: logger)
        router.onQueued = { dispatcher.wake() }
        router.telemetry = telemetry

        let tls: (material: TLSMaterial, contexts: TLSContextHolder)?
        if configuration.server.tls.enabled {
            let material = try TLSMaterial.resolve(
                certificate: configuration.server.tls.cert, key: configuration.server.tls.key,
                dataDirectory: configuration.dataDirectory, hostnames: configuration.server.tls.hostnames)
            if let reason = material.generatedBecause {
                logger.notice(
                    "created a self-signed certificate; phones must trust this one",
                    metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(material.fingerprint)", "why": "\(reason)"])
            } else {
                logger.info("using TLS certificate", metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(material.fingerprint)"])
            }
            tls = (material, try TLSContextHolder(try material.serverConfiguration()))
        } else {
            tls = nil
        }
        let connectionLimit = ConnectionLimit(
            maximum: OpenFileLimit.connectionLimit(maxSessions: configuration.server.maxSessions, figures: OpenFileLimit.current()),
            logger: logger)
        if connectionLimit.maximum < configuration.server.maxSessions {
            logger.notice(
                "websocket connections limited by the open-file limit",
                metadata: [
                    "limit": "\(connectionLimit.maximum)", "server.max_sessions": "\(configuration.server.maxSessions)",
                    "open_files": "\(OpenFileLimit.current()?.soft ?? 0)",
                ])
        }
        let ready = ReadinessLatch(onReady: onReady)
        let listeners = ListenerState()
        let webSocket = try WebSocketListener.make(context: context, tls: tls?.contexts, connectionLimit: connectionLimit) { port in
            await listeners.webSocketBound(port)
            await ready.set(webSocket: port)
        }
        let admin = AdminListener.make(context: context, router: router, dispatcher: dispatcher, metrics: metrics, listeners: listeners, completeAlarm: completeAlarm) { port in
            await ready.set(admin: port)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: webSocket), .init(service: admin), .init(service: DispatcherService(dispatcher: dispatcher)),
            .init(service: OutboxRetentionService(store: store, retention: TimeInterval(configuration.push.retention), logger: logger)),
        ]
        if configuration.auth.enabled {
            // Removed and narrowed users reach live sessions within auth.recheck_interval.
            services.append(
                .init(
                    service: PermissionRecheck(
                        auth: auth, sessions: sessions,
                        interval: .milliseconds(Int64(configuration.auth.recheckInterval * 1_000)), logger: logger)))
        }
        if configuration.zoneminder.enabled {
            services.append(
                .init(service: ZoneMinderSourceService(configuration: configuration.zoneminder, api: zoneMinderAPI, store: store, router: router, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [],  // handled below, so sessions are told 1001 first
                logger: logger))
        /// Sessions get close 1001 (going away) before the listeners stop; then pushes in flight finish.
        @Sendable func shutDown(_ reason: String) async {
            logger.notice("shutting down", metadata: ["reason": "\(reason)"])
            await sessions.closeAll(.goingAway, reason: "server shutting down")
            try? await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            if handleSignals {
                tasks.addTask {
                    for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                        await shutDown("\(signal)")
                        break
                    }
                }
                tasks.addTask {
                    // SIGHUP: reload credentials and the certificate without dropping sessions (users are read at each login anyway).
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        if let tls { Self.reloadCertificate(tls.material, into: tls.contexts, logger: logger) }
                        do {
                            let fresh = try await CredentialSet.load(from: store, logger: logger)
                            routeTable.replace(routes: fresh.routes(client: httpClient, store: store, logger: logger, telemetry: telemetry), selection: fresh.selection)
                            logger.notice("credentials reloaded", metadata: ["credentials": "\(fresh.credentials.map(\.name).sorted())"])
                        } catch {
                            logger.error("cannot reload credentials; keeping the current ones", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
            if let stop {
                tasks.addTask {
                    await stop.wait()
                    await shutDown("stop requested")
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
        logger.info("stopped")
    }

    /// New connections get the pair as it is on disk now; a pair that does not load leaves the current one in use.
    static func reloadCertificate(_ material: TLSMaterial, into contexts: TLSContextHolder, logger: Logger) {
        do {
            try contexts.replace(with: try material.serverConfiguration())
            let fingerprint = try TLSMaterial.fingerprint(ofPEMFile: material.certificatePath)
            logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(fingerprint)"])
        } catch {
            logger.error(
                "cannot reload the TLS certificate; new connections keep getting the current one",
                metadata: ["error": "\(error)"])
        }
    }

    private func createFirstUserIfNeeded(_ store: Store) async throws {
        guard try await store.userCount() == 0 else { return }
        let password = Self.randomPassword()
        try await store.saveUser(User(name: "admin", passwordHash: await PasswordHasher.hash(password), monitors: .all))
        announce("Created user 'admin' with password \(password)\nIt is shown only this once; change it with: zmes user add admin --password-stdin")
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

/// Calls `onReady` once both listeners are bound.
private actor ReadinessLatch {
    let onReady: @Sendable (BoundPorts) async -> Void
    var webSocket: Int?
    var admin: Int?

    init(onReady: @escaping @Sendable (BoundPorts) async -> Void) {
        self.onReady = onReady
    }

    func set(webSocket port: Int) async {
        webSocket = port
        await fireIfReady()
    }

    func set(admin port: Int) async {
        admin = port
        await fireIfReady()
    }

    private func fireIfReady() async {
        guard let webSocket, let admin else { return }
        await onReady(BoundPorts(webSocket: webSocket, admin: admin))
    }
}

/// Asks a running server to shut down gracefully, as SIGTERM would.
public actor ShutdownTrigger {
    private var triggered = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func trigger() {
        triggered = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    func wait() async {
        if triggered { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// Runs the dispatcher in the service group; on shutdown it stops claiming and lets in-flight pushes finish.
struct DispatcherService: Service {
    let dispatcher: Dispatcher

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await dispatcher.run()
        }
    }
}
