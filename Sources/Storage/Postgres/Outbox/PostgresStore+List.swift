import Foundation
import Model
import PostgresNIO

/// What operators read: `push list`, `/api/v1/pushes`, the console's chart and monitors page, `/metrics`.
extension PostgresStore {
    public func pushJobs(matching query: PushJobQuery, limit: Int) async throws -> [PushJob] {
        let (state, provider, since) = (query.state?.rawValue, query.provider?.rawValue, query.since?.storeValue)
        return try await rows(
            """
            SELECT \(unescaped: PushJob.columns) FROM outbox
            WHERE (\(state)::text IS NULL OR state = \(state)::text)
              AND (\(provider)::text IS NULL OR provider = \(provider)::text)
              AND starts_with(token, \(query.tokenPrefix)::text)
              AND (\(since)::float8 IS NULL OR created_at >= \(since)::float8)
            ORDER BY id DESC LIMIT \(limit)
            """
        ).compactMap(PushJob.init(postgres:))
    }

    /// Counted with `GROUP BY` rather than kept by triggers (see ``PostgresMigrations``).
    public func outboxCounts() async throws -> [PushJobState: Int] {
        var counts: [PushJobState: Int] = [:]
        for row in try await rows("SELECT state, COUNT(*) FROM outbox GROUP BY state") {
            let (state, count) = try row.decode((String, Int).self)
            if let state = PushJobState(rawValue: state), count > 0 { counts[state] = count }
        }
        return counts
    }

    public func outcomesPerMinute(since: Date) async throws -> [OutcomeCount] {
        try await rows(
            """
            SELECT trunc(finished_at / 60)::bigint AS minute, state, COUNT(*) FROM outbox
            WHERE state IN ('delivered', 'failed') AND finished_at >= \(since.storeValue) GROUP BY minute, state
            """
        ).compactMap { row in
            let (minute, state, count) = try row.decode((Int, String, Int).self)
            return PushJobState(rawValue: state).map { OutcomeCount(minute: minute, state: $0, count: count) }
        }
    }

    public func recentEvents(perMonitor: Int) async throws -> [Int: [RecentEvent]] {
        var events: [Int: [RecentEvent]] = [:]
        for row in try await rows(
            """
            SELECT monitor_id, event_id, MAX(cause) AS cause, MAX(alarm_time) AS time FROM outbox
            WHERE kind = 'start' GROUP BY monitor_id, event_id ORDER BY time DESC LIMIT 1000
            """)
        {
            let (monitorId, eventId, cause, time) = try row.decode((Int, Int, String, Double).self)
            let event = RecentEvent(monitorId: monitorId, eventId: eventId, cause: cause, time: Date(storeValue: time))
            if events[event.monitorId, default: []].count < perMonitor { events[event.monitorId, default: []].append(event) }
        }
        return events
    }
}
