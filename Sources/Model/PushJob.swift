import Foundation

/// Where a push job stands in the outbox.
public enum PushJobState: String, Sendable, Codable, CaseIterable {
    case queued
    case retrying
    case delivered
    case failed
}

/// Which service delivers a push.
public enum PushProvider: String, Sendable, Codable, CaseIterable {
    case apns
    case fcm
    case proxy
    /// An MQTT broker of `mqtt:`; the job's token is the broker's name.
    case mqtt

    /// Whether the job's token is a device's (APNs, FCM, the proxy): only those carry a badge,
    /// mark the device's last push, and fail when the device is removed.
    public var hasDevice: Bool { self != .mqtt }
}

/// One push to one device for one alarm, as kept in the durable outbox.
public struct PushJob: Sendable, Equatable {
    public var id: Int64
    public var token: String
    public var provider: PushProvider
    public var state: PushJobState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var alarm: Alarm
    public var createdAt: Date

    public init(
        id: Int64,
        token: String,
        provider: PushProvider,
        state: PushJobState,
        attempts: Int,
        nextAttemptAt: Date,
        lastError: String?,
        alarm: Alarm,
        createdAt: Date
    ) {
        self.id = id
        self.token = token
        self.provider = provider
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.alarm = alarm
        self.createdAt = createdAt
    }
}
