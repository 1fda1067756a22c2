import Foundation
import Model
import Synchronization
import Testing

@testable import Storage

/// Alarms recorded at the same time share one transaction: each still gets its own outcome, and the
/// once-per-event decision holds inside the shared transaction.
@Suite("Group commit of alarms")
struct GroupCommitTests {
    @Test("writes that arrive during a commit go in the next one together, each answered with its own outcome")
    func batchesWhileCommitting() async throws {
        let batches = Mutex<[[Int]]>([])
        let commits = GroupCommit<Int, Int> { writes in
            batches.withLock { $0.append(writes) }
            try? await Task.sleep(for: .milliseconds(200))
            return writes.map { $0 == 13 ? .failure(CocoaError(.fileWriteUnknown)) : .success($0 * 2) }
        }
        let first = Task { try await commits.submit(0) }
        try await Task.sleep(for: .milliseconds(50))  // the first commit is under way
        let outcomes = await withTaskGroup(of: (Int, Int?).self) { group in
            for write in 1...99 { group.addTask { (write, try? await commits.submit(write)) } }
            return await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        #expect(try await first.value == 0)
        #expect(outcomes.count == 99)
        #expect(outcomes.allSatisfy { write, doubled in write == 13 ? doubled == nil : doubled == write * 2 })
        let sizes = batches.withLock { $0.map(\.count) }
        #expect(sizes == [1, 99], "commits: \(sizes)")
    }

    @Test("200 alarms recorded at once: every alarm's pushes queued, and one event sent to a device once however often it comes", arguments: Backend.allCases)
    func concurrentAlarms(_ backend: Backend) async throws {
        try await backend.withFreshStore { store in
            let tokens = (0..<10).map { String(format: "%064x", $0) }
            try await store.register(
                contentsOf: tokens.map { DeviceRegistration(token: $0, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1.8.001") })
            let candidates = tokens.map { NotificationCandidate(token: $0, interval: 0, provider: .apns) }
            let notified = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        // Half are new events; the other half all repeat event 1 of monitor 1.
                        let event = index.isMultiple(of: 2) ? 1_000 + index : 1
                        let alarm = Alarm(monitorId: index.isMultiple(of: 2) ? 2 : 1, monitorName: "Door", eventId: event, cause: "Motion")
                        return try await store.recordNotifications(for: alarm, candidates: candidates).count
                    }
                }
                return try await group.reduce(0, +)
            }
            let jobs = try await store.pushJobs()
            #expect(jobs.count == 100 * 10 + 10)
            #expect(notified == jobs.count)
            #expect(jobs.filter { $0.alarm.eventId == 1 }.count == 10, "event 1 goes to each device once")
        }
    }
}
