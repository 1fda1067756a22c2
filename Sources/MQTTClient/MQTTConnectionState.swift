/// What a connection knows between the network thread's callbacks and the publishers.
struct MQTTConnectionState {
    var connected = false
    var stopped = false
    /// Why the last connect failed or the connection dropped, for errors and `/healthz`.
    var lastFailure = "not connected yet"
    /// The broker refused the last CONNECT: `lastFailure` holds its reason, which libmosquitto's return code would hide.
    var refused = false
    /// The last error libmosquitto logged (its TLS errors say which check failed; its return code does not).
    var lastLoggedError: String?
    /// Publishes waiting for their PUBACK, by message id.
    var waiting: [Int32: CheckedContinuation<Result<Void, MQTTError>, Never>] = [:]
    /// PUBACKs that came before their publisher started waiting (the network thread is fast), with the reason code.
    var earlyAcks: [Int32: Int32] = [:]
    /// Message ids nobody waits for any more (timed out, failed); their late PUBACKs are dropped.
    var abandoned: Set<Int32> = []

    /// Keeps the bookkeeping of late or unknown acknowledgements bounded.
    mutating func trim() {
        if abandoned.count > 10_000 { abandoned.removeAll() }
        if earlyAcks.count > 10_000 { earlyAcks.removeAll() }
    }
}
