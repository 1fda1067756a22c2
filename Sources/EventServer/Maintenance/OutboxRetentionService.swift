import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Deletes delivered and failed pushes older than `push.retention`, so the outbox does not grow
/// forever. Small batches, each its own short transaction with a pause between, so the router and
/// the dispatcher are never held up behind one long delete.
struct OutboxRetentionService: Service {
    let store: any Store
    /// Seconds a finished push is kept.
    let retention: TimeInterval
    let logger: Logger
    var interval: Duration = .seconds(60)
    var batchSize = 500

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: batches until nothing older is left (or the task is cancelled).
    func sweep(now: Date = Date()) async {
        let cutoff = now.addingTimeInterval(-retention)
        var total = 0
        while !Task.isCancelled {
            do {
                let deleted = try await store.deleteFinishedJobs(finishedBefore: cutoff, limit: batchSize)
                total += deleted
                if deleted < batchSize { break }
            } catch {
                if !Task.isCancelled {
                    logger.error("cannot delete old pushes from the outbox", metadata: ["error": "\(error)"])
                }
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if total > 0 {
            logger.info("deleted finished pushes older than push.retention", metadata: ["count": "\(total)", "retention": "\(Int(retention))"])
        }
    }
}
