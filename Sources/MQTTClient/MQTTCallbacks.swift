import CMosquitto

/// libmosquitto's callbacks, called on the network thread: plain C functions that find their
/// ``MQTTConnection`` through the client's user data.
enum MQTTCallbacks {
    static func install(on handle: OpaquePointer) {
        mosquitto_connect_v5_callback_set(handle) { _, object, code, _, _ in
            guard let connection = MQTTCallbacks.connection(object) else { return }
            connection.connected(code: code)
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, object, code, _ in
            guard let connection = MQTTCallbacks.connection(object), code != 0 else { return }
            connection.lost(code: code)
        }
        mosquitto_publish_v5_callback_set(handle) { _, object, mid, reasonCode, _ in
            MQTTCallbacks.connection(object)?.acknowledged(mid: mid, reasonCode: reasonCode)
        }
        mosquitto_message_callback_set(handle) { _, object, message in
            guard let connection = MQTTCallbacks.connection(object), let message = message?.pointee, let topic = message.topic else { return }
            let payload: String
            if let bytes = message.payload, message.payloadlen > 0 {
                payload = String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(message.payloadlen)), as: UTF8.self)
            } else {
                payload = ""
            }
            connection.onMessage(String(cString: topic), payload)
        }
        mosquitto_log_callback_set(handle) { _, object, level, text in
            guard level == MOSQ_LOG_ERR, let connection = MQTTCallbacks.connection(object), let text else { return }
            let line = String(cString: text)
            connection.state.withLock { $0.lastLoggedError = line }
        }
    }

    private static func connection(_ object: UnsafeMutableRawPointer?) -> MQTTConnection? {
        object.map { Unmanaged<MQTTConnection>.fromOpaque($0).takeUnretainedValue() }
    }
}

extension MQTTConnection {
    func connected(code: Int32) {
        guard code == 0 else {
            let reason = MosquittoLibrary.describeConnack(code, version: options.version)
            state.withLock { state in
                state.connected = false
                state.lastFailure = "the broker \(options.host):\(options.port) refused the connection: \(reason)"
                state.refused = true
            }
            return
        }
        state.withLock { state in
            state.connected = true
            state.refused = false
            state.lastLoggedError = nil
        }
        for topic in options.subscriptions {
            mosquitto_subscribe(handle, nil, topic, MQTTQoS.atLeastOnce.rawValue)
        }
        onConnect()
    }

    func lost(code: Int32) {
        let waiting = state.withLock { state in
            if state.connected {
                state.lastFailure = "connection to \(options.host):\(options.port) lost: \(MosquittoLibrary.describe(code))"
            }
            state.connected = false
            return state.takeWaiting()
        }
        let reason = failure ?? "connection lost"
        for continuation in waiting { continuation.resume(returning: .failure(.disconnected(reason: reason))) }
    }

    func acknowledged(mid: Int32, reasonCode: Int32) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<Void, MQTTError>, Never>? in
            if let continuation = state.waiting.removeValue(forKey: mid) { return continuation }
            if state.abandoned.remove(mid) == nil {
                state.earlyAcks[mid] = reasonCode
                state.trim()
            }
            return nil
        }
        continuation?.resume(returning: Self.outcome(reasonCode: reasonCode))
    }
}
