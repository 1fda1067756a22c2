import Dispatch
import NIOConcurrencyHelpers

/// When each client received each alarm, written on the clients' event loops.
///
/// A lock rather than an actor: the write happens inside `channelRead`, and an
/// actor hop there would add scheduling delay to the very thing being timed.
public final class ReceiptTable: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    public let clients: Int
    public let alarms: Int
    private let lock = NIOLock()
    private var times: [UInt64]
    private var counts: [Int]
    private let complete: [DispatchSemaphore]

    public init(clients: Int, alarms: Int) {
        self.clients = clients
        self.alarms = alarms
        times = Array(repeating: 0, count: clients * alarms)
        counts = Array(repeating: 0, count: alarms)
        complete = (0..<alarms).map { _ in DispatchSemaphore(value: 0) }
    }

    /// Records the first receipt of `alarm` by `client`; a duplicate or stray alarm is ignored.
    func record(alarm: Int, client: Int, at nanoseconds: UInt64) {
        guard (0..<alarms).contains(alarm), (0..<clients).contains(client) else { return }
        let finished: Bool = lock.withLock {
            let slot = alarm * clients + client
            guard times[slot] == 0 else { return false }
            times[slot] = nanoseconds
            counts[alarm] += 1
            return counts[alarm] == clients
        }
        if finished { complete[alarm].signal() }
    }

    /// Blocks until every client has `alarm`, or `timeout` seconds pass; returns whether all did.
    public func waitForAll(alarm: Int, timeout: Double) -> Bool {
        complete[alarm].wait(timeout: .now() + timeout) == .success
    }

    public func received(alarm: Int) -> Int { lock.withLock { counts[alarm] } }

    /// Receipt times of `alarm` (0 where a client has not received it).
    public func times(alarm: Int) -> [UInt64] {
        lock.withLock { Array(times[(alarm * clients)..<((alarm + 1) * clients)]) }
    }
}
