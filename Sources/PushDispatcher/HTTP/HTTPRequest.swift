/// One HTTP/2 request for the push client. Bodies are bytes; headers keep their order.
public struct HTTPRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// PEM bundle that verifies this endpoint; `nil` uses the system's CAs. Verification is never off.
    public var caFile: String?

    public init(url: String, method: String = "POST", headers: [(name: String, value: String)] = [], body: [UInt8] = [], caFile: String? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.caFile = caFile
    }
}

/// A provider's answer: status, lower-cased headers, body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no HTTP answer at all: the connection failed, timed out, or the stream was reset.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl's error code and message (e.g. 7 "Couldn't connect", 28 timeout, 92 stream error).
    case transport(code: Int, message: String)
    case shutDown

    public var description: String {
        switch self {
        case .transport(let code, let message): return "transport error \(code): \(message)"
        case .shutDown: return "the HTTP/2 client is shut down"
        }
    }
}
