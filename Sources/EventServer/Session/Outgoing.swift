import NIOWebSocket

/// What a session's writer sends next: a text frame, or a close with its code.
enum Outgoing: Sendable {
    case text(String)
    case close(WebSocketErrorCode, reason: String)
}
