import Hummingbird
import HummingbirdCore
import Logging
import Model
import NIOCore
import NIOSSL

/// The operators' HTTP API, on loopback by default: alarm ingest, health, metrics, the outbox; and the
/// operators' console in the browser under `/` (`Console/`), which has its own login.
/// Each group of routes is a controller of its own (one file each); this file only assembles them.
enum AdminListener {
    static func make(
        pipeline: DeliveryPipeline,
        listeners: ListenerState,
        tls: TLSContextHolder?,
        completeAlarm: @escaping @Sendable (Alarm) -> Alarm,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        let context = pipeline.context
        let routes = Router(context: AdminRequestContext.self)
        // The JSON API, health and metrics: the bearer token, or without one loopback only.
        let token = context.configuration.admin.token
        let api =
            token.isEmpty
            ? routes.group().add(middleware: LoopbackOnlyMiddleware()) : routes.group().add(middleware: BearerTokenMiddleware(token: token))
        AlarmsController(routing: pipeline.hookedRouting, completeAlarm: completeAlarm)
            .addRoutes(to: api.group("api/v1/alarms"))
        PushesController(store: context.store, dispatcher: pipeline.dispatcher)
            .addRoutes(to: api.group("api/v1/pushes"))
        MonitorsController(store: context.store).addRoutes(to: api.group("api/v1/monitors"))
        HealthController(context: context, listeners: listeners).addRoutes(to: api.group("healthz"))
        MetricsController(context: context, metrics: pipeline.metrics).addRoutes(to: api.group("metrics"))
        try ConsoleController(
            context: context, dispatcher: pipeline.dispatcher, pictures: pipeline.alarmRouter.pictures, sessions: ConsoleSessions(), pages: ConsolePages(),
            secureCookies: tls != nil, reloadCredentials: { await pipeline.reloadCredentials(logger: context.logger) }
        ).addRoutes(to: routes)
        let configuration = context.configuration.admin
        return Application(
            router: routes,
            server: server(tls: tls, idleTimeout: configuration.idleTimeout),
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes-admin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }

    /// HTTP/1.1, in TLS with the current certificate when `admin.tls.enabled` (reloaded on SIGHUP like the websocket's).
    private static func server(tls: TLSContextHolder?, idleTimeout: Double) -> HTTPServerBuilder {
        let http1 = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(idleTimeout * 1_000)))
        guard let tls else { return .http1(configuration: http1) }
        return HTTPServerBuilder { responder in
            HandlerInFrontChannel(base: HTTP1Channel(responder: responder, configuration: http1)) { NIOSSLServerHandler(context: tls.current) }
        }
    }
}
