/// What the shared HTTP/2 server core writes back for one request stream.
///
/// Each mock turns its provider-specific decision into one of these, which
/// keeps all NIO plumbing in `HTTP2MockServer`.
public enum MockReply: Sendable {
    /// A complete response: `:status`, headers (names are lower-cased on the wire) and body.
    case response(status: Int, headers: [(String, String)], body: [UInt8])
    /// RST_STREAM (CANCEL) on the request's stream, no response.
    case resetStream
    /// Close the whole TCP connection without answering.
    case closeConnection

    /// A response with a UTF-8 JSON (or any text) body and `content-type: application/json`.
    public static func json(status: Int, headers: [(String, String)] = [], _ body: String) -> MockReply {
        .response(status: status, headers: headers + [("content-type", "application/json; charset=UTF-8")], body: Array(body.utf8))
    }
}
