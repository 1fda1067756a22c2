/// What a mock should do with the next matching request instead of its normal answer.
///
/// Faults exist so tests can make a provider misbehave on demand (an outage, a
/// reset stream, a dropped connection) without touching the client under test.
public enum Fault: Sendable, Equatable {
    /// Answer with this status, headers and body instead of the normal reply.
    case respond(status: Int, headers: [String: String] = [:], body: String = "")
    /// Send RST_STREAM on that stream and no response.
    case resetStream
    /// Close the TCP connection without answering (every stream on it is lost).
    case closeConnection
}

extension Fault {
    /// The reply the shared server core understands.
    func reply(extraHeaders: [(String, String)] = []) -> MockReply {
        switch self {
        case .respond(let status, let headers, let body):
            var fields = headers.sorted { $0.key < $1.key }.map { ($0.key.lowercased(), $0.value) }
            for (name, value) in extraHeaders where headers.keys.allSatisfy({ $0.lowercased() != name }) {
                fields.append((name, value))
            }
            return .response(status: status, headers: fields, body: Array(body.utf8))
        case .resetStream:
            return .resetStream
        case .closeConnection:
            return .closeConnection
        }
    }
}
