import Foundation

/// A phone that registered a push token.
public struct Device: Sendable, Equatable {
    public var token: String
    public var user: String
    public var platform: Platform
    public var state: PushState
    public var filter: MonitorFilter
    public var badge: Int
    public var appVersion: String
    public var createdAt: Date
    public var updatedAt: Date
    public var lastPushAt: Date?

    public init(
        token: String,
        user: String,
        platform: Platform,
        state: PushState,
        filter: MonitorFilter = .all,
        badge: Int = 0,
        appVersion: String = "",
        createdAt: Date = Date(),
        updatedAt: Date = Date(),
        lastPushAt: Date? = nil
    ) {
        self.token = token
        self.user = user
        self.platform = platform
        self.state = state
        self.filter = filter
        self.badge = badge
        self.appVersion = appVersion
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastPushAt = lastPushAt
    }
}

/// A push token shortened for listings and logs: enough to tell devices apart, useless to an attacker.
public func redactedToken(_ token: String) -> String {
    guard token.count > 12 else { return token.isEmpty ? "" : "…" }
    return String(token.prefix(6)) + "…" + String(token.suffix(4))
}
