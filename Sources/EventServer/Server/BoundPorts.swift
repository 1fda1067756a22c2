/// The ports the listeners actually bound (they differ from the configuration when it says 0).
public struct BoundPorts: Sendable, Equatable {
    public var webSocket: Int
    public var admin: Int
}

/// Calls `onReady` once both listeners are bound.
actor ReadinessLatch {
    let onReady: @Sendable (BoundPorts) async -> Void
    var webSocket: Int?
    var admin: Int?

    init(onReady: @escaping @Sendable (BoundPorts) async -> Void) {
        self.onReady = onReady
    }

    func set(webSocket port: Int) async {
        webSocket = port
        await fireIfReady()
    }

    func set(admin port: Int) async {
        admin = port
        await fireIfReady()
    }

    private func fireIfReady() async {
        guard let webSocket, let admin else { return }
        await onReady(BoundPorts(webSocket: webSocket, admin: admin))
    }
}
