/// The faults queued on one mock, consumed in the order they were injected.
///
/// A value type kept inside each mock's actor, so injecting and consuming a
/// fault are serialised with request handling and two concurrent requests can
/// never both take the last remaining count.
struct FaultPlan: Sendable {
    private struct Entry: Sendable {
        var fault: Fault
        var remaining: Int
        var deviceToken: String?
    }

    private var queue: [Entry] = []

    /// When set, every request gets this fault until it is cleared.
    var everything: Fault?

    mutating func add(_ fault: Fault, count: Int, deviceToken: String?) {
        guard count > 0 else { return }
        queue.append(Entry(fault: fault, remaining: count, deviceToken: deviceToken))
    }

    /// The fault for a request to `deviceToken` (nil when the request names no
    /// device), consuming one count of the first matching entry.
    mutating func next(for deviceToken: String?) -> Fault? {
        if let everything { return everything }
        guard let index = queue.firstIndex(where: { $0.deviceToken == nil || $0.deviceToken == deviceToken }) else {
            return nil
        }
        let fault = queue[index].fault
        queue[index].remaining -= 1
        if queue[index].remaining == 0 { queue.remove(at: index) }
        return fault
    }

    var pendingCount: Int { queue.reduce(0) { $0 + $1.remaining } }

    mutating func removeAll() {
        queue.removeAll()
        everything = nil
    }
}
