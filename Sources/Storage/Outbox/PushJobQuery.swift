import Foundation
import Model

/// Which outbox jobs to list (`zmes push list`, `/api/v1/pushes`, the console's Pushes page): each
/// field narrows the list, and one left out (nil, or an empty prefix) allows any.
public struct PushJobQuery: Sendable, Equatable {
    public var state: PushJobState?
    public var provider: PushProvider?
    /// The first characters of the job's token (a device's, or an MQTT broker's name).
    public var tokenPrefix: String
    /// Only jobs created at or after this time.
    public var since: Date?

    public init(state: PushJobState? = nil, provider: PushProvider? = nil, tokenPrefix: String = "", since: Date? = nil) {
        self.state = state
        self.provider = provider
        self.tokenPrefix = tokenPrefix
        self.since = since
    }
}
