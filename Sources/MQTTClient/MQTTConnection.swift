import CMosquitto
import Foundation
import Synchronization

/// One connection to one broker through libmosquitto: its network loop runs on a thread of its
/// own, reconnects by itself, and keeps the session (clean session off) so the broker holds
/// QoS 1 state across reconnects.
///
/// `publish` returns only when the broker acknowledged (PUBACK) and fails when the connection is
/// down, drops or stays silent, so whoever publishes (the outbox) can try again: at least once.
public final class MQTTConnection: Sendable {
    public let options: MQTTConnectionOptions
    /// libmosquitto's client: thread-safe once `mosquitto_threaded_set` is on, used only through its calls.
    nonisolated(unsafe) let handle: OpaquePointer
    let state = Mutex(MQTTConnectionState())
    let onConnect: @Sendable () -> Void
    let onMessage: @Sendable (_ topic: String, _ payload: String) -> Void
    private let loopDone = DispatchSemaphore(value: 0)
    private let started = Mutex(false)

    /// - Parameters:
    ///   - onConnect: called on the network thread after each successful connect (subscriptions are made already).
    ///   - onMessage: called on the network thread for each message of a subscribed topic.
    public init(
        options: MQTTConnectionOptions,
        onConnect: @escaping @Sendable () -> Void = {},
        onMessage: @escaping @Sendable (_ topic: String, _ payload: String) -> Void = { _, _ in }
    ) throws(MQTTError) {
        guard MosquittoLibrary.initialized else { throw .library("libmosquitto did not initialise") }
        guard let handle = mosquitto_new(options.clientID, false, nil) else {
            throw .library("cannot create an MQTT client for \(options) (out of memory, or an empty client id)")
        }
        self.handle = handle
        self.options = options
        self.onConnect = onConnect
        self.onMessage = onMessage
        do {
            try configure()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private func configure() throws(MQTTError) {
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try check(mosquitto_threaded_set(handle, true), "threaded mode")
        let version = options.version == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "protocol version")
        try check(mosquitto_reconnect_delay_set(handle, 1, 10, true), "reconnect delay")
        try check(mosquitto_max_inflight_messages_set(handle, 0), "in-flight limit")
        if let username = options.username {
            try check(mosquitto_username_pw_set(handle, username, options.password), "user name and password")
        }
        if options.tls {
            let rc = mosquitto_tls_set(handle, options.caFile, options.caFile == nil ? "/etc/ssl/certs" : nil, options.certFile, options.keyFile, nil)
            try check(rc, "TLS settings (ca_file \(options.caFile ?? "system"), cert_file \(options.certFile ?? "none"), key_file \(options.keyFile ?? "none"))")
        }
        if let will = options.will {
            let bytes = Array(will.payload.utf8)
            try check(mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes, MQTTQoS.atLeastOnce.rawValue, will.retain), "last will")
        }
        MQTTCallbacks.install(on: handle)
    }

    private func check(_ code: Int32, _ what: String) throws(MQTTError) {
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .library("cannot set the MQTT \(what) for \(options): \(MosquittoLibrary.describe(code))")
        }
    }

    /// Starts the network thread; it connects, and reconnects whenever the connection drops.
    public func start() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let thread = Thread { [self] in
            runNetworkLoop()
            loopDone.signal()
        }
        thread.name = "mqtt \(options.host):\(options.port)"
        thread.start()
    }

    /// Disconnects and waits for the network thread; publishes still waiting fail with `.stopped`.
    public func stop() async {
        let wasStarted = started.withLock { $0 }
        let waiting = state.withLock { state in
            state.stopped = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for continuation in waiting { continuation.resume(returning: .failure(.stopped)) }
        mosquitto_disconnect(handle)
        guard wasStarted else { return }
        // libmosquitto may be waiting out a reconnect delay; the thread keeps this connection alive until it ends.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                _ = self.loopDone.wait(timeout: .now() + 3)
                continuation.resume()
            }
        }
    }

    /// Whether the broker accepted the connection and it is up now.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// `nil` while connected; otherwise why not (the broker's refusal, the TLS check that failed...).
    public var failure: String? { state.withLock { $0.connected ? nil : $0.lastFailure } }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func runNetworkLoop() {
        var delay = 1.0
        var connectedBefore = false
        while !isStopped {
            state.withLock { $0.lastLoggedError = nil }
            let rc = connectedBefore ? mosquitto_reconnect(handle) : connect()
            connectedBefore = true
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                let result = mosquitto_loop_forever(handle, 1_000, 1)
                if isStopped { break }
                // It returns only for errors it will not retry by itself (TLS, refused login...): note why and retry later.
                noteFailure(code: result)
            } else {
                noteFailure(code: rc)
            }
            let until = Date().addingTimeInterval(delay)
            while !isStopped, Date() < until { Thread.sleep(forTimeInterval: 0.1) }
            delay = min(delay * 2, 10)
        }
    }

    private func connect() -> Int32 {
        guard options.version == .v5 else { return mosquitto_connect(handle, options.host, Int32(options.port), Int32(options.keepalive)) }
        var properties: OpaquePointer? = nil
        mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), options.sessionExpiry)
        defer { mosquitto_property_free_all(&properties) }
        return mosquitto_connect_bind_v5(handle, options.host, Int32(options.port), Int32(options.keepalive), nil, properties)
    }

    /// Records why the connection is down; a TLS failure names what libmosquitto logged (which check failed).
    func noteFailure(code: Int32) {
        let waiting = state.withLock { state in
            var reason = MosquittoLibrary.describe(code)
            // "A TLS error occurred." says too little; libmosquitto's log line names the check that failed.
            if let logged = state.lastLoggedError { reason += " (\(logged))" }
            if code == MOSQ_ERR_TLS.rawValue { reason = "TLS: " + reason }
            if !state.refused { state.lastFailure = "\(options.host):\(options.port): \(reason)" }
            state.connected = false
            return state.takeWaiting()
        }
        let reason = failure ?? "connection lost"
        for continuation in waiting { continuation.resume(returning: .failure(.disconnected(reason: reason))) }
    }

    /// Publishes one message and waits, for QoS 1, until the broker acknowledged it.
    public func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false, timeout: Duration = .seconds(30)) async throws(MQTTError) {
        let refusal: MQTTError? = state.withLock { state in
            if state.stopped { return .stopped }
            if state.refused { return .connectionRefused(reason: state.lastFailure) }
            return state.connected ? nil : .notConnected(reason: state.lastFailure)
        }
        if let refusal { throw refusal }
        var mid: Int32 = 0
        let bytes = Array(payload.utf8)
        let rc = mosquitto_publish_v5(handle, &mid, topic, Int32(bytes.count), bytes, qos.rawValue, retain, nil)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            // libmosquitto may still hold the message and send it after a reconnect: nobody waits for that one.
            if mid != 0 { state.withLock { _ = $0.abandoned.insert(mid) } }
            if rc == MOSQ_ERR_NO_CONN.rawValue { throw .notConnected(reason: failure ?? "connection lost") }
            throw .library("cannot publish to \(topic): \(MosquittoLibrary.describe(rc))")
        }
        guard qos == .atLeastOnce else { return }
        let messageID = mid
        let expiry = Task { [self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            expire(messageID, after: timeout)
        }
        defer { expiry.cancel() }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, MQTTError>, Never>) in
            let early: Result<Void, MQTTError>? = state.withLock { state in
                if let reason = state.earlyAcks.removeValue(forKey: messageID) { return Self.outcome(reasonCode: reason) }
                if state.stopped { return .failure(.stopped) }
                if !state.connected { return .failure(.disconnected(reason: state.lastFailure)) }
                state.waiting[messageID] = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
        try result.get()
    }

    private func expire(_ mid: Int32, after timeout: Duration) {
        let continuation = state.withLock { state in
            let continuation = state.waiting.removeValue(forKey: mid)
            if continuation != nil { state.abandoned.insert(mid) }
            return continuation
        }
        continuation?.resume(returning: .failure(.timedOut(seconds: Double(timeout.components.seconds))))
    }

    static func outcome(reasonCode: Int32) -> Result<Void, MQTTError> {
        // MQTT 5 reason codes from 0x80 up are failures (not authorized, quota exceeded...); 3.1.1 always sends 0.
        reasonCode < 0x80 ? .success(()) : .failure(.refused(reason: String(cString: mosquitto_reason_string(reasonCode))))
    }
}

extension MQTTConnectionState {
    /// Empties the waiting publishes, marking their ids abandoned.
    mutating func takeWaiting() -> [CheckedContinuation<Result<Void, MQTTError>, Never>] {
        abandoned.formUnion(waiting.keys)
        trim()
        defer { waiting.removeAll() }
        return Array(waiting.values)
    }
}
