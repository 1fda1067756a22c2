/// How the ZoneMinder client reaches the API; `zmes` hands it its libcurl client.
public protocol ZoneMinderTransport: Sendable {
    func send(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]) async throws -> (status: Int, body: [UInt8])
}
