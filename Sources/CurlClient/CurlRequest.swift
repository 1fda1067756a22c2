/// One request for `CurlClient`. Bodies are bytes; headers keep their order.
public struct CurlRequest: Sendable {
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
