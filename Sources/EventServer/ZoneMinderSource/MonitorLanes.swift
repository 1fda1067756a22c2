/// One queue of work per monitor: each monitor's alarms are handled in order (a start before its end),
/// while a monitor waiting for its detection hook never holds up another monitor's alarms.
actor MonitorLanes {
    private var tails: [Int: Task<Void, Never>] = [:]

    /// Queues `work` behind the monitor's earlier work and returns at once. Cancelling a lane's last
    /// task cancels the ones before it.
    func submit(monitor: Int, _ work: @escaping @Sendable () async -> Void) {
        let previous = tails[monitor]
        tails[monitor] = Task {
            await withTaskCancellationHandler {
                await previous?.value
            } onCancel: {
                previous?.cancel()
            }
            await work()
        }
    }

    /// Waits until all queued work is done; cancelled, it cancels that work (each alarm is then tried once).
    func finish() async {
        let all = Array(tails.values)
        tails = [:]
        await withTaskCancellationHandler {
            for task in all { await task.value }
        } onCancel: {
            for task in all { task.cancel() }
        }
    }
}
