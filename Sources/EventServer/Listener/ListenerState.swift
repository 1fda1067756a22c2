/// Which listeners are bound, for `/healthz`.
actor ListenerState {
    private(set) var webSocketPort: Int?

    func webSocketBound(_ port: Int) {
        webSocketPort = port
    }
}
