import Hummingbird
import Model
import NIOCore
import Prometheus

/// `GET /metrics`: Prometheus text. Gauges of what is, not what happened, are read when scraped:
/// the live sessions and the outbox by state.
struct MetricsController: Sendable {
    let context: ServerContext
    let metrics: PrometheusCollectorRegistry

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get(use: get)
    }

    @Sendable func get(request: Request, context requestContext: AdminRequestContext) async throws -> Response {
        metrics.makeGauge(descriptor: Self.sessionsOpen).set(Double(await context.sessions.count))
        metrics.makeGauge(descriptor: Self.sessionsAuthenticated).set(Double(await context.sessions.authenticatedCount))
        var counts: [PushJobState: Int] = [:]
        do {
            counts = try await context.store.outboxCounts()
        } catch {
            context.logger.warning("metrics cannot read the outbox counts", metadata: ["error": "\(error)"])
        }
        for state in PushJobState.allCases {
            metrics.makeGauge(descriptor: Self.outboxJobs, labels: [("state", state.rawValue)]).set(Double(counts[state] ?? 0))
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }

    static var sessionsOpen: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zmes", metricName: "sessions", unitName: "open", helpText: "Websocket sessions open now.")
    }
    static var sessionsAuthenticated: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "zmes", metricName: "sessions", unitName: "authenticated", helpText: "Websocket sessions logged in now.")
    }
    static var outboxJobs: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zmes", metricName: "outbox", unitName: "jobs", helpText: "Push jobs in the outbox by state.")
    }
}
