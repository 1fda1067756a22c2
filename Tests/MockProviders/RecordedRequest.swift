import Foundation

/// One request exactly as the mock received it, kept so tests can assert on
/// what the client really sent (including requests the mock refused).
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var authority: String
    /// Lower-cased names, pseudo-headers excluded; repeated fields are joined with ", ".
    public var headers: [String: String]
    /// Every regular header field in arrival order, repeats kept (APNs refuses duplicated apns-* headers).
    public var headerFields: [(name: String, value: String)]
    public var body: [UInt8]
    /// Which accepted TCP connection carried it (1, 2, ...).
    public var connectionID: Int
    public var receivedAt: Date

    public init(
        method: String, path: String, authority: String,
        headers: [String: String], headerFields: [(name: String, value: String)]? = nil,
        body: [UInt8], connectionID: Int, receivedAt: Date = Date()
    ) {
        self.method = method
        self.path = path
        self.authority = authority
        self.headers = headers
        self.headerFields = headerFields ?? headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        self.body = body
        self.connectionID = connectionID
        self.receivedAt = receivedAt
    }

    /// The body as UTF-8 text (lossy), for assertions and failure messages.
    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, nil when it is not JSON.
    public var json: JSONValue? { JSONValue.parse(body) }
}
