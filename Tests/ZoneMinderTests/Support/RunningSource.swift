import Foundation
import Model
import ZmesTestSupport
import ZoneMinder

/// A fresh directory standing for /dev/shm, removed afterwards.
func withShmDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-shm-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// What a running source handed out.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _alarms: [Alarm] = []
    private var _conditions: [MonitorConditionChange] = []

    var alarms: [Alarm] { lock.withLock { _alarms } }
    var conditions: [MonitorConditionChange] { lock.withLock { _conditions } }

    func append(_ alarm: Alarm) { lock.withLock { _alarms.append(alarm) } }
    func record(_ change: MonitorConditionChange) { lock.withLock { _conditions.append(change) } }

    /// Event ids and kinds, e.g. `["11 start", "11 end"]`.
    var summary: [String] { alarms.map { "\($0.eventId) \($0.kind.rawValue)" } }
}

/// Runs `source` while `body` runs, then cancels it.
func withRunningSource(_ source: SharedMemoryAlarmSource, _ body: (Recorder) async throws -> Void) async throws {
    let recorder = Recorder()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            await source.run(onCondition: { recorder.record($0) }, onAlarm: { recorder.append($0) })
        }
        try await body(recorder)
        group.cancelAll()
    }
}

/// Polls `condition` until it holds or `timeout` passes; tells which.
func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// A fresh directory standing for /dev/shm with monitor `monitorId`'s file created from `fields`, for `body`.
func withMonitorFile<T>(
    _ fields: HeaderFields, monitorId: Int = 1, version: ZoneMinderVersion = .v136,
    _ body: (_ directory: String, ZoneMinderMonitorFile) async throws -> T
) async rethrows -> T {
    try await withShmDirectory { dir in
        let file = ZoneMinderMonitorFile(directory: dir, monitorId: monitorId, version: version)
        file.create(fields)
        return try await body(dir, file)
    }
}
