import Foundation
import Hummingbird
import Logging
import Model
import NIOCore
import Prometheus
import PushDispatcher
import Storage

/// The operators' HTTP API, on loopback by default: alarm ingest, health, the outbox.
enum AdminListener {
    static func make(
        context: ServerContext,
        router alarmRouter: AlarmRouter,
        dispatcher: Dispatcher,
        metrics: PrometheusCollectorRegistry,
        listeners: ListenerState,
        completeAlarm: @escaping @Sendable (Alarm) -> Alarm,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        let token = context.configuration.admin.token
        if token.isEmpty {
            router.add(middleware: LoopbackOnlyMiddleware())
        } else {
            router.add(middleware: BearerTokenMiddleware(token: token))
        }
        router.post("/api/v1/alarms") { request, requestContext -> Response in
            let body = try await request.body.collect(upTo: 64 * 1_024)
            let alarm: Alarm
            do {
                alarm = completeAlarm(try AlarmRequest.decode(body))
            } catch let error as AlarmRequest.Invalid {
                return jsonResponse(.badRequest, ["error": error.message])
            }
            let report = try await alarmRouter.route(alarm)
            return jsonResponse(.accepted, report)
        }
        router.get("/healthz") { _, _ -> Response in
            let storeHealthy = await context.store.isHealthy()
            var credentials: [String: String] = [:]
            for credential in (try? await context.store.credentials()) ?? [] {
                credentials[credential.name] = credential.brokenReason.map { "broken: \($0)" } ?? "ok"
            }
            let allCredentialsFine = credentials.values.allSatisfy { $0 == "ok" }
            let health = Health(
                status: storeHealthy && allCredentialsFine ? "ok" : "degraded",
                store: storeHealthy ? "ok" : "unavailable",
                listeners: ["websocket": await listeners.webSocketPort != nil ? "ok" : "not listening", "admin": "ok"],
                credentials: credentials,
                sessions: await context.sessions.count,
                authenticatedSessions: await context.sessions.authenticatedCount)
            return jsonResponse(storeHealthy ? .ok : .serviceUnavailable, health)
        }
        router.get("/metrics") { _, _ -> Response in
            // Gauges are read when scraped: the live sessions and the outbox by state.
            metrics.makeGauge(name: "zmes_sessions_open").set(Double(await context.sessions.count))
            metrics.makeGauge(name: "zmes_sessions_authenticated").set(Double(await context.sessions.authenticatedCount))
            let counts = (try? await context.store.outboxCounts()) ?? [:]
            for state in PushJobState.allCases {
                metrics.makeGauge(name: "zmes_outbox_jobs", labels: [("state", state.rawValue)]).set(Double(counts[state] ?? 0))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        router.get("/api/v1/pushes") { request, _ -> Response in
            var state: PushJobState?
            if let text = request.uri.queryParameters["state"].map(String.init) {
                guard let parsed = PushJobState(rawValue: text) else {
                    return jsonResponse(.badRequest, ["error": "state must be queued, retrying, delivered or failed"])
                }
                state = parsed
            }
            let jobs = try await context.store.pushJobs(state: state)
            return jsonResponse(.ok, jobs.map(PushJobListing.init))
        }
        router.post("/api/v1/pushes/replay") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
                return jsonResponse(.badRequest, ["error": "the body must be {\"ids\":[...]} or {\"allFailed\":true}"])
            }
            let jobs: [PushJob]
            if let ids = object["ids"] as? [NSNumber] {
                jobs = try await context.store.replay(ids: ids.map(\.int64Value))
            } else if object["allFailed"] as? Bool == true {
                jobs = try await context.store.replay()
            } else {
                return jsonResponse(.badRequest, ["error": "the body must be {\"ids\":[...]} or {\"allFailed\":true}"])
            }
            dispatcher.wake()
            return jsonResponse(.ok, ["replayed": jobs.count])
        }
        let configuration = context.configuration.admin
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1_000)))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.address, port: configuration.port), serverName: "zmes-admin"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: context.logger)
    }

    struct Health: Encodable {
        var status: String
        var store: String
        var listeners: [String: String]
        var credentials: [String: String]
        var sessions: Int
        var authenticatedSessions: Int
    }
}

func jsonResponse(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return Response(
        status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// Which listeners are bound, for `/healthz`.
actor ListenerState {
    private(set) var webSocketPort: Int?

    func webSocketBound(_ port: Int) {
        webSocketPort = port
    }
}
