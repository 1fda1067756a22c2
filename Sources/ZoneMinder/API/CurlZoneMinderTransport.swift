import CurlClient

/// The ZoneMinder API over zmes's libcurl client, with short timeouts: a ZoneMinder
/// outage must turn into a clear login failure, not a hung client.
public struct CurlZoneMinderTransport: ZoneMinderTransport {
    let client: CurlClient

    public init(client: CurlClient) {
        self.client = client
    }

    public static func makeClient() -> CurlClient {
        var configuration = CurlClient.Configuration()
        configuration.connectTimeout = .seconds(3)
        configuration.responseTimeout = .seconds(8)
        return CurlClient(configuration: configuration)
    }

    public func send(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        let response = try await client.send(CurlRequest(url: url, method: method, headers: headers, body: body))
        return (response.status, response.body)
    }
}
