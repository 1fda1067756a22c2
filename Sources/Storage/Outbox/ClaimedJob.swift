import Foundation
import Model

/// A job taken from the outbox for one attempt, with what the sender needs to know of its device.
public struct ClaimedJob: Sendable, Equatable {
    public var job: PushJob
    /// The device's platform; `nil` for a job that has no device (``PushProvider/hasDevice``: MQTT).
    public var platform: Platform?
    /// The badge this push carries: the device's count plus one, fixed at the first attempt (0 without a device).
    public var badge: Int
    /// Whence `push.max_age` is counted: creation, or the last replay.
    public var agedFrom: Date
}
