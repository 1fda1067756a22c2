import Hummingbird
import Logging
import Model
import NIOCore

/// The operators' HTTP API, on loopback by default: alarm ingest, health, metrics, the outbox.
/// Each group of routes is a controller of its own (one file each); this file only assembles them.
enum AdminListener {
    static func make(
        pipeline: DeliveryPipeline,
        listeners: ListenerState,
        completeAlarm: @escaping @Sendable (Alarm) -> Alarm,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let context = pipeline.context
        let routes = Router()
        let token = context.configuration.admin.token
        if token.isEmpty {
            routes.add(middleware: LoopbackOnlyMiddleware())
        } else {
            routes.add(middleware: BearerTokenMiddleware(token: token))
        }
        AlarmsController(routing: pipeline.hookedRouting, completeAlarm: completeAlarm)
            .addRoutes(to: routes.group("api/v1/alarms"))
        PushesController(store: context.store, dispatcher: pipeline.dispatcher)
            .addRoutes(to: routes.group("api/v1/pushes"))
        MonitorsController(store: context.store).addRoutes(to: routes.group("api/v1/monitors"))
        HealthController(context: context, listeners: listeners).addRoutes(to: routes.group("healthz"))
        MetricsController(context: context, metrics: pipeline.metrics).addRoutes(to: routes.group("metrics"))
        let configuration = context.configuration.admin
        return Application(
            router: routes,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1_000)))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes-admin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }
}
