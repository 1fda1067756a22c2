import Foundation
import Model
import PostgresNIO

extension PushJob {
    /// `PushJob.columns` (SQLite's order), for a row selected with them first.
    init?(postgres row: PostgresRow) throws {
        let (id, token, provider, state, attempts, nextAttemptAt, lastError, monitorId, monitorName) = try row.decode(
            (Int64, String, String, String, Int, Double, String?, Int, String).self)
        let cells = row.makeRandomAccess()
        let eventId = try cells[9].decode(Int.self)
        let cause = try cells[10].decode(String.self)
        let kind = try cells[11].decode(String.self)
        let alarmTime = try cells[12].decode(Double.self)
        let source = try cells[13].decode(String.self)
        let createdAt = try cells[14].decode(Double.self)
        let critical = try cells[15].decode(Bool.self)
        let detection = try cells[16].decode(String?.self)
        guard let provider = PushProvider(rawValue: provider), let state = PushJobState(rawValue: state),
            let kind = AlarmKind(rawValue: kind)
        else { return nil }
        self.init(
            id: id, token: token, provider: provider, state: state, attempts: attempts,
            nextAttemptAt: Date(storeValue: nextAttemptAt), lastError: lastError,
            alarm: Alarm(
                monitorId: monitorId, monitorName: monitorName, eventId: eventId, cause: cause, kind: kind,
                time: Date(storeValue: alarmTime), source: source, critical: critical, detection: StoredDetection.detection(detection)),
            createdAt: Date(storeValue: createdAt))
    }
}
