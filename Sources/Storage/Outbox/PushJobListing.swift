import Foundation
import Model

/// A push job as `zmes push list --json` and `GET /api/v1/pushes` show it (docs/OPERATIONS.md).
public struct PushJobListing: Codable, Sendable, Equatable {
    public var id: Int64
    public var token: String
    public var provider: String
    public var state: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var monitorId: Int
    public var eventId: Int
    public var createdAt: Date

    public init(_ job: PushJob) {
        id = job.id
        token = job.token
        provider = job.provider.rawValue
        state = job.state.rawValue
        attempts = job.attempts
        nextAttemptAt = job.nextAttemptAt
        lastError = job.lastError
        monitorId = job.alarm.monitorId
        eventId = job.alarm.eventId
        createdAt = job.createdAt
    }
}
