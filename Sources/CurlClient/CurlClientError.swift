/// Why a request got no HTTP answer at all: the connection failed, timed out, or the stream was reset.
public enum CurlClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl's error code and message (e.g. 7 "Couldn't connect", 28 timeout, 92 stream error).
    case transport(code: Int, message: String)
    case shutDown

    public var description: String {
        switch self {
        case .transport(let code, let message): return "transport error \(code): \(message)"
        case .shutDown: return "the HTTP client is shut down"
        }
    }
}
