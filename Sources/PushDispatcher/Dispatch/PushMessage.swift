import Foundation
import Model

/// Everything a sender needs for one push: the job, the device's platform and the badge to show.
public struct PushMessage: Sendable {
    public var jobID: Int64
    public var token: String
    public var platform: Platform
    public var badge: Int
    public var alarm: Alarm
    public var title: String
    public var body: String
    /// When the push stops being worth showing (APNs `apns-expiration`).
    public var expiresAt: Date

    public init(jobID: Int64, token: String, platform: Platform, badge: Int, alarm: Alarm, title: String, body: String, expiresAt: Date) {
        self.jobID = jobID
        self.token = token
        self.platform = platform
        self.badge = badge
        self.alarm = alarm
        self.title = title
        self.body = body
        self.expiresAt = expiresAt
    }

    /// Makes a push that is sent again (after an outcome zmes could not learn) replace the first
    /// on the phone instead of showing twice: APNs' `apns-collapse-id`, Android's notification
    /// `tag`. One per event, so the end of an event replaces its start; the providers scope it
    /// to the device. At most 46 bytes (APNs allows 64).
    var collapseID: String { "zmes-\(alarm.monitorId)-\(alarm.eventId)" }

    /// The custom keys zmNinja reads from every push, sorted by key.
    var customData: [(key: String, value: String)] {
        [("eid", String(alarm.eventId)), ("mid", String(alarm.monitorId)), ("notification_foreground", "true")]
    }
}

/// A provider client: turns a message into one HTTP/2 request and classifies the reply.
public protocol PushSender: Sendable {
    func send(_ message: PushMessage) async -> PushOutcome
}
