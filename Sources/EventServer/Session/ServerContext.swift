import Logging
import Model
import PushDispatcher
import Storage

/// What every connection shares: the store, the live sessions, login checks and limits.
struct ServerContext: Sendable {
    let configuration: Configuration
    let store: any Store
    let sessions: SessionRegistry
    let auth: any AuthBackend
    let rateLimiter: AuthRateLimiter
    let logger: Logger
    var telemetry: Telemetry = .disabled
    /// This process among those sharing a store (`server.instance_id`, or the host and a random suffix).
    var instanceId = ""
    /// Serves the event pictures that pushes link to; `nil` unless `pictures.enabled`.
    var pictures: PictureService?
    /// The brokers of `mqtt:`, for `/healthz`; `nil` when there are none.
    var mqtt: MQTTSender?

    var authRequired: Bool { configuration.auth.enabled }
    var pushEnabled: Bool { configuration.push.enabled }
    var maxMessageSize: Int { configuration.server.maxMessageSize }
    /// The websocket layer's hard ceiling: frames past it are closed with 1009 without being read.
    var frameCeiling: Int { configuration.server.maxMessageSize * 4 }
}
