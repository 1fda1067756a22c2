import Foundation
import GRDB
import Model

extension PushJob: PositionalColumns {
    /// The columns `init(row:)` reads, in its order. Rows are decoded by position: looking
    /// columns up by name costs more than the rest of a claim.
    static let columns = """
        id, token, provider, state, attempts, next_attempt_at, last_error, monitor_id, monitor_name,
        event_id, cause, kind, alarm_time, source, created_at, critical, detection
        """
    static let columnCount = 17

    /// A row selected with `columns` first (more columns may follow).
    init?(row: Row) {
        guard let provider = PushProvider(rawValue: row[2]),
            let state = PushJobState(rawValue: row[3]),
            let kind = AlarmKind(rawValue: row[11])
        else { return nil }
        self.init(
            id: row[0],
            token: row[1],
            provider: provider,
            state: state,
            attempts: row[4],
            nextAttemptAt: Date(storeValue: row[5]),
            lastError: row[6],
            alarm: Alarm(
                monitorId: row[7], monitorName: row[8], eventId: row[9],
                cause: row[10], kind: kind, time: Date(storeValue: row[12]), source: row[13], critical: row[15],
                detection: StoredDetection.detection(row[16])),
            createdAt: Date(storeValue: row[14]))
    }
}
