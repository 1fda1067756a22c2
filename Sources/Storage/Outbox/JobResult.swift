import Foundation

/// What became of one attempt, as the store records it.
public enum JobResult: Sendable, Equatable {
    case delivered
    case retry(at: Date, reason: String)
    case failed(reason: String)
    /// The token is invalid: the job fails and the device is removed, unless it
    /// registered again after `invalidAt` (APNs' 410 timestamp).
    case tokenGone(reason: String, invalidAt: Date?)
}
