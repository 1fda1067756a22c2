import Hummingbird
import Logging
import Model
import NIOCore
import Prometheus
import PushDispatcher

/// The operators' HTTP API, on loopback by default: alarm ingest, health, metrics, the outbox.
/// Each group of routes is a controller of its own (one file each); this file only assembles them.
enum AdminListener {
    struct Dependencies: Sendable {
        var context: ServerContext
        var alarmRouter: AlarmRouter
        var dispatcher: Dispatcher
        var metrics: PrometheusCollectorRegistry
        var listeners: ListenerState
        var completeAlarm: @Sendable (Alarm) -> Alarm
    }

    static func make(
        _ dependencies: Dependencies,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let context = dependencies.context
        let routes = Router()
        let token = context.configuration.admin.token
        if token.isEmpty {
            routes.add(middleware: LoopbackOnlyMiddleware())
        } else {
            routes.add(middleware: BearerTokenMiddleware(token: token))
        }
        AlarmsController(alarmRouter: dependencies.alarmRouter, completeAlarm: dependencies.completeAlarm)
            .addRoutes(to: routes.group("api/v1/alarms"))
        PushesController(store: context.store, dispatcher: dependencies.dispatcher)
            .addRoutes(to: routes.group("api/v1/pushes"))
        HealthController(context: context, listeners: dependencies.listeners).addRoutes(to: routes.group("healthz"))
        MetricsController(context: context, metrics: dependencies.metrics).addRoutes(to: routes.group("metrics"))
        let configuration = context.configuration.admin
        return Application(
            router: routes,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1_000)))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes-admin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }
}
