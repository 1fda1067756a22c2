import Model

/// A device that passed the monitor checks for an alarm; the store decides whether its interval allows it.
public struct NotificationCandidate: Sendable {
    public var token: String
    /// Minimum seconds between two event-start notifications for this monitor.
    public var interval: Int
    /// The provider to queue a push for, or `nil` when the device is served over its websocket only.
    public var provider: PushProvider?

    public init(token: String, interval: Int, provider: PushProvider?) {
        self.token = token
        self.interval = interval
        self.provider = provider
    }
}
