import CurlClient
import Foundation
import Logging
import Prometheus
import PushDispatcher
import ServiceLifecycle
import Storage
import ZoneMinder

/// The parts an alarm passes through, built from the configuration: the store, who may log in and see what
/// (auth), the push senders and dispatcher, and the alarm router in front of them.
struct DeliveryPipeline: Sendable {
    let context: ServerContext
    let alarmRouter: AlarmRouter
    /// The alarm router behind the detection hooks: what every alarm source calls.
    let hookedRouting: HookedRouting
    let dispatcher: Dispatcher
    let senders: SenderTable
    let metrics: PrometheusCollectorRegistry
    let mqtt: MQTTSetup
    private let outbound: Outbound

    static func build(configuration: Configuration, store: any Store, instanceId: String, logger: Logger) async throws -> DeliveryPipeline {
        let outbound = Outbound(zoneMinder: configuration.zoneminder)
        let auth = makeAuthBackend(configuration: configuration, store: store, zoneMinderAPI: outbound.zoneMinderAPI, logger: logger)
        let metrics = PrometheusCollectorRegistry()
        var context = ServerContext(
            configuration: configuration,
            store: store,
            sessions: SessionRegistry(),
            auth: auth,
            rateLimiter: AuthRateLimiter(
                limits: .init(
                    maxFailuresPerAddress: configuration.auth.maxFailures, maxFailuresPerUser: configuration.auth.maxFailuresPerUser,
                    window: configuration.auth.failureWindow)),
            logger: logger)
        context.telemetry = Telemetry(factory: PrometheusMetricsFactory(registry: metrics))
        context.instanceId = instanceId
        let pictures = try await PictureSetup.make(configuration: configuration, store: store, zoneMinder: outbound.zoneMinderLogin, logger: logger)
        context.pictures = pictures?.service
        let credentials = try await CredentialSet.load(from: store, logger: logger)
        for credential in credentials.credentials {
            logger.info(
                "push credential loaded",
                metadata: [
                    "credential": "\(credential.name)", "provider": "\(credential.provider.rawValue)",
                    "broken": "\(credentials.broken[credential.name] ?? "no")",
                ])
        }
        let mqtt = try MQTTSetup.make(configuration: configuration, logger: logger)
        context.mqtt = mqtt.healthReported
        let senders = SenderTable(
            senders: mqtt.adding(to: credentials.senders(client: outbound.push, store: store, logger: logger, telemetry: context.telemetry)),
            selection: credentials.selection)
        let dispatcher = Dispatcher(
            store: store, table: senders,
            template: MessageTemplate(
                title: configuration.push.title, body: configuration.push.body, dateFormat: configuration.push.dateFormat,
                tagEventId: configuration.push.tagEventId, replacePrevious: configuration.push.replacePrevious),
            pictures: pictures?.links, maxAge: TimeInterval(configuration.push.maxAge), lease: TimeInterval(configuration.push.claimLease), logger: logger,
            telemetry: context.telemetry)
        var alarmRouter = AlarmRouter(
            store: store, sessions: context.sessions, auth: auth, pushEnabled: configuration.push.enabled,
            senders: senders, logger: logger)
        alarmRouter.onQueued = { dispatcher.wake() }
        alarmRouter.telemetry = context.telemetry
        alarmRouter.rules = configuration.rules
        alarmRouter.pictures = pictures?.links
        alarmRouter.mqttBrokers = configuration.mqtt.map(\.name)
        alarmRouter.mqttNeedsEnds = configuration.mqtt.contains(where: \.discovery)
        let coordination = store.coordination
        if coordination.isShared {
            alarmRouter.peers = PeerAlarms(instanceID: instanceId, coordination: coordination, logger: logger)
        }
        let hookedRouting = HookedRouting(
            router: alarmRouter, settings: configuration.hooks,
            zoneMinder: configuration.zoneminder.enabled
                ? HookZoneMinder(login: outbound.zoneMinderLogin, logger: logger)
                : nil,
            logger: logger)
        return DeliveryPipeline(
            context: context, alarmRouter: alarmRouter, hookedRouting: hookedRouting, dispatcher: dispatcher, senders: senders,
            metrics: metrics, mqtt: mqtt, outbound: outbound)
    }

    /// The services that run beside the listeners: the dispatcher, outbox retention, permission rechecks and
    /// the ZoneMinder source, as the configuration turns them on.
    var store: any Store { context.store }

    func backgroundServices(configuration: Configuration, logger: Logger) -> [any Service] {
        // The group stops services in reverse order: the brokers after the dispatcher's last publishes.
        var services: [any Service] = [
            MQTTService(sender: mqtt.sender),
            DispatcherService(dispatcher: dispatcher),
            OutboxRetentionService(store: store, retention: TimeInterval(configuration.push.retention), logger: logger),
        ]
        if configuration.auth.enabled {
            // Removed and narrowed users reach live sessions within auth.recheck_interval.
            services.append(
                PermissionRecheck(
                    auth: context.auth, sessions: context.sessions,
                    interval: .milliseconds(Int64(configuration.auth.recheckInterval * 1_000)), logger: logger))
        }
        let coordination = store.coordination
        if let peers = alarmRouter.peers {
            // Other instances' alarms, to the sessions this one holds.
            services.append(PeerAlarmService(instanceID: peers.instanceID, coordination: coordination, router: alarmRouter, logger: logger))
        }
        if configuration.zoneminder.enabled {
            var source = ZoneMinderSourceService(
                configuration: configuration.zoneminder, zoneMinder: outbound.zoneMinderLogin, store: store, routing: hookedRouting, logger: logger)
            source.coordination = coordination
            services.append(source)
        }
        return services
    }

    /// SIGHUP: the certificate and the push credentials as they are now, without dropping sessions
    /// (users are read at each login anyway). What does not load leaves the current one in use.
    func reload(tls: TLSSetup?, logger: Logger) async {
        tls?.reloadCertificate(logger: logger)
        await reloadCredentials(logger: logger)
    }

    /// The push credentials as the store has them now (SIGHUP, and a credentials file uploaded from the console).
    func reloadCredentials(logger: Logger) async {
        do {
            let fresh = try await CredentialSet.load(from: store, logger: logger)
            senders.replace(
                senders: mqtt.adding(to: fresh.senders(client: outbound.push, store: store, logger: logger, telemetry: context.telemetry)),
                selection: fresh.selection)
            logger.notice("credentials reloaded", metadata: ["credentials": "\(fresh.credentials.map(\.name).sorted())"])
        } catch {
            logger.error("cannot reload credentials; keeping the current ones", metadata: ["error": "\(error)"])
        }
    }

    func shutdown() {
        outbound.shutdown()
    }

    private static func makeAuthBackend(
        configuration: Configuration, store: any Store, zoneMinderAPI: ZoneMinderAPI, logger: Logger
    ) -> any AuthBackend {
        switch (configuration.auth.enabled, configuration.auth.backend) {
        case (false, _): return OpenAuthBackend()
        case (true, .local): return LocalAuthBackend(store: store, loginCache: configuration.auth.loginCache)
        case (true, .zoneminder):
            return ZoneMinderAuthBackend(
                api: zoneMinderAPI, store: store, cacheLifetime: configuration.zoneminder.loginCache,
                recheckAfter: configuration.auth.zoneminderRecheck, grace: configuration.auth.zoneminderGrace, logger: logger)
        }
    }
}

/// What zmes calls out to: the push providers and ZoneMinder's API, each over its own libcurl client
/// (a slow ZoneMinder must not hold up pushes).
private struct Outbound: Sendable {
    let push = CurlClient()
    let zoneMinderAPI: ZoneMinderAPI
    /// zmes's own login, shared by everything that asks ZoneMinder in zmes's name (pictures, hooks).
    let zoneMinderLogin: ZoneMinderServiceLogin
    private let zoneMinder = CurlZoneMinderTransport.makeClient()

    init(zoneMinder settings: Configuration.ZoneMinder) {
        zoneMinderAPI = ZoneMinderAPI(baseURL: settings.url, transport: CurlZoneMinderTransport(client: zoneMinder))
        zoneMinderLogin = ZoneMinderServiceLogin(api: zoneMinderAPI, user: settings.user, password: settings.password)
    }

    func shutdown() {
        push.shutdown()
        zoneMinder.shutdown()
    }
}
