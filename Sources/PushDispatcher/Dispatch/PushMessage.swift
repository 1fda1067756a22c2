import Foundation
import Model

/// Everything a sender needs for one push: the job, the device's platform and the badge to show.
public struct PushMessage: Sendable {
    public var jobID: Int64
    public var token: String
    /// `nil` for a job without a device (MQTT).
    public var platform: Platform?
    public var badge: Int
    public var alarm: Alarm
    public var title: String
    public var body: String
    /// When the push stops being worth showing (APNs `apns-expiration`).
    public var expiresAt: Date
    /// Makes a push that is sent again replace the first on the phone (`MessageTemplate.collapseID`).
    public var collapseID: String
    /// The event's picture, signed (`PictureLinks`); `nil` unless `pictures.enabled`.
    public var pictureURL: String?

    public init(
        jobID: Int64, token: String, platform: Platform?, badge: Int, alarm: Alarm, title: String, body: String, expiresAt: Date,
        collapseID: String? = nil, pictureURL: String? = nil
    ) {
        self.jobID = jobID
        self.token = token
        self.platform = platform
        self.badge = badge
        self.alarm = alarm
        self.title = title
        self.body = body
        self.expiresAt = expiresAt
        self.collapseID = collapseID ?? "zmes-\(alarm.monitorId)-\(alarm.eventId)"
        self.pictureURL = pictureURL
    }

    /// The custom keys zmNinja reads from every push, sorted by key.
    var customData: [(key: String, value: String)] {
        [("eid", String(alarm.eventId)), ("mid", String(alarm.monitorId)), ("notification_foreground", "true")]
    }
}

/// A provider client: turns a message into one HTTP/2 request and classifies the reply.
public protocol PushSender: Sendable {
    /// Whether this sender's jobs for one token go one at a time, in the outbox's order
    /// (``InOrderSends``): an MQTT broker's, not a phone's.
    var sendsInOrder: Bool { get }
    func send(_ message: PushMessage) async -> PushOutcome
}

extension PushSender {
    public var sendsInOrder: Bool { false }
}
