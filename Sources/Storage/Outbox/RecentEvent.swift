import Foundation

/// An event that reached the outbox, as the console's monitors page shows it.
public struct RecentEvent: Sendable, Equatable {
    public var monitorId: Int
    public var eventId: Int
    public var cause: String
    public var time: Date
}
