import Foundation

/// A monitor muted by hand (`zmes monitor mute`, `POST /api/v1/monitors/ID/mute`) until a time.
public struct MonitorMute: Sendable, Equatable, Codable {
    public var monitorId: Int
    public var until: Date
    public var setAt: Date

    /// The longest mute zmes takes (a year): longer is almost surely a typo, and `unmute` ends one early anyway.
    public static let longest = 365 * 86_400
    /// Monitor ids as ZoneMinder stores them (a signed 32-bit column).
    public static let monitorIds = 0...Int(Int32.max)

    public init(monitorId: Int, until: Date, setAt: Date) {
        self.monitorId = monitorId
        self.until = until
        self.setAt = setAt
    }
}
