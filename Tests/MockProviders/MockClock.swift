import Foundation

/// The time a mock believes it is: real time plus an offset tests can advance,
/// so token lifetimes (JWT age, OAuth expiry) can be exercised without waiting.
struct MockClock: Sendable {
    var offset: TimeInterval = 0
    var now: Date { Date().addingTimeInterval(offset) }
}
