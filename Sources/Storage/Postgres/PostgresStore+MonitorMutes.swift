import Foundation
import PostgresNIO

extension PostgresStore {
    public func muteMonitor(_ monitorId: Int, until: Date, at now: Date) async throws {
        try await rows(
            """
            INSERT INTO monitor_mutes (monitor_id, until, set_at) VALUES (\(monitorId), \(until.storeValue), \(now.storeValue))
            ON CONFLICT (monitor_id) DO UPDATE SET until = excluded.until, set_at = excluded.set_at
            """)
    }

    @discardableResult
    public func unmuteMonitor(_ monitorId: Int) async throws -> Bool {
        try await !rows("DELETE FROM monitor_mutes WHERE monitor_id = \(monitorId) RETURNING 1").isEmpty
    }

    public func monitorMutes(at now: Date) async throws -> [Int: MonitorMute] {
        var mutes: [Int: MonitorMute] = [:]
        for row in try await rows("SELECT monitor_id, until, set_at FROM monitor_mutes WHERE until > \(now.storeValue)") {
            let (monitor, until, setAt) = try row.decode((Int, Double, Double).self)
            mutes[monitor] = MonitorMute(monitorId: monitor, until: Date(storeValue: until), setAt: Date(storeValue: setAt))
        }
        return mutes
    }

    public func mutedUntil(monitor monitorId: Int, at now: Date) async throws -> Date? {
        try await rows("SELECT until FROM monitor_mutes WHERE monitor_id = \(monitorId) AND until > \(now.storeValue)").first.map {
            Date(storeValue: try $0.decode(Double.self))
        }
    }
}
