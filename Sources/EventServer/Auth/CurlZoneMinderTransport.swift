import PushDispatcher
import ZoneMinder

/// The ZoneMinder API over zmes's libcurl client, with short timeouts: a ZoneMinder
/// outage must turn into a clear login failure, not a hung client.
public struct CurlZoneMinderTransport: ZoneMinderTransport {
    let client: HTTP2Client

    public init(client: HTTP2Client) {
        self.client = client
    }

    public static func makeClient() -> HTTP2Client {
        var configuration = HTTP2Client.Configuration()
        configuration.connectTimeout = .seconds(3)
        configuration.responseTimeout = .seconds(8)
        return HTTP2Client(configuration: configuration)
    }

    public func send(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        let response = try await client.send(HTTPRequest(url: url, method: method, headers: headers, body: body))
        return (response.status, response.body)
    }
}
