import Foundation

/// Asks a running server to shut down gracefully, as SIGTERM would.
public actor ShutdownTrigger {
    private var triggered = false
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    public init() {}

    public func trigger() {
        triggered = true
        for waiter in waiters.values { waiter.resume() }
        waiters = [:]
    }

    /// Returns when triggered, or when the waiting task is cancelled (the server stopped for another reason).
    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if triggered || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.release(id) }
        }
    }

    private func release(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
