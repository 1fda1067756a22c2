import Foundation
import Model
import Storage

/// What the Pushes page shows: the outbox narrowed by state, provider, a device's token prefix and a
/// time window, as the page's query says (`/pushes?state=failed&provider=apns&device=5e5e&since=3600`).
/// Values the page does not offer are ignored rather than refused: a link typed by hand still shows a page.
struct PushFilter: Sendable, Equatable {
    var state: PushJobState?
    var provider: PushProvider?
    var devicePrefix = ""
    /// Seconds back from now; nil for all time.
    var since: Int?

    /// The time windows offered, in seconds, with their labels.
    static let windows: [(seconds: Int?, label: String)] = [(3_600, "last hour"), (86_400, "last day"), (604_800, "last week"), (nil, "any time")]

    init(state: PushJobState? = nil, provider: PushProvider? = nil, devicePrefix: String = "", since: Int? = nil) {
        self.state = state
        self.provider = provider
        self.devicePrefix = devicePrefix
        self.since = since
    }

    init(query: (String) -> String?) {
        state = query("state").flatMap(PushJobState.init(rawValue:))
        provider = query("provider").flatMap(PushProvider.init(rawValue:))
        devicePrefix = String((query("device") ?? "").prefix(200))
        since = query("since").flatMap(Int.init).flatMap { seconds in Self.windows.contains { $0.seconds == seconds } ? seconds : nil }
    }

    func start(now: Date) -> Date? { since.map { now.addingTimeInterval(-TimeInterval($0)) } }

    /// The store's query for this filter at `now`.
    func query(now: Date) -> PushJobQuery {
        PushJobQuery(state: state, provider: provider, tokenPrefix: devicePrefix, since: start(now: now))
    }
}
