import Hummingbird
import PushDispatcher

/// `GET /healthz`: the store, the listeners and each push credential; 503 when the store is unusable.
/// It speaks for this instance: with several on one store, ask each (its `instance` says which answered).
struct HealthController: Sendable {
    let context: ServerContext
    let listeners: ListenerState

    struct Health: Encodable {
        var status: String
        var instance: String
        var store: String
        var listeners: [String: String]
        var credentials: [String: String]
        var sessions: Int
        var authenticatedSessions: Int
        /// Each broker of `mqtt:`: `ok`, or why it is not connected; absent without `mqtt:`.
        var mqtt: [String: String]?
    }

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get(use: get)
    }

    @Sendable func get(request: Request, context requestContext: AdminRequestContext) async throws -> Response {
        let storeHealthy = await context.store.isHealthy()
        var credentials: [String: String] = [:]
        do {
            for credential in try await context.store.credentials() {
                credentials[credential.name] = credential.brokenReason.map { "broken: \($0)" } ?? "ok"
            }
        } catch {
            context.logger.warning("health check cannot read the credentials", metadata: ["error": "\(error)"])
        }
        let allCredentialsFine = credentials.values.allSatisfy { $0 == "ok" }
        let mqtt = context.mqtt.map(\.health)
        let allBrokersFine = mqtt?.values.allSatisfy { $0 == "ok" } ?? true
        var health = Health(
            status: storeHealthy && allCredentialsFine && allBrokersFine ? "ok" : "degraded",
            instance: context.instanceId,
            store: storeHealthy ? "ok" : "unavailable",
            listeners: ["websocket": await listeners.webSocketPort != nil ? "ok" : "not listening", "admin": "ok"],
            credentials: credentials,
            sessions: await context.sessions.count,
            authenticatedSessions: await context.sessions.authenticatedCount)
        health.mqtt = mqtt
        return jsonResponse(storeHealthy ? .ok : .serviceUnavailable, health)
    }
}
