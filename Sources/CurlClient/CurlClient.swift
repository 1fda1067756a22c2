/// HTTP through libcurl's multi interface: HTTP/2 for `https://` URLs (the push providers),
/// HTTP/1.1 for plain `http://` ones (the admin API, a local ZoneMinder). One long-lived
/// multi handle on its own thread, many streams multiplexed on few connections, reused
/// easy handles.
///
/// Callers `await` a response; requests are handed to the curl thread through a
/// queue and `curl_multi_wakeup`, and completed through continuations.
public final class CurlClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration = .seconds(10)
        /// Whole-request deadline, from hand-over to the last byte.
        public var responseTimeout: Duration = .seconds(30)
        /// Connections per host; HTTP/2 multiplexing makes one or two enough.
        public var maxConnectionsPerHost = 2
        /// Streams per connection (APNs allows about 1000).
        public var maxConcurrentStreams = 1_000
        /// Idle connections are kept alive with TCP keepalive probes at this interval.
        public var keepAliveInterval: Duration = .seconds(60)

        public init() {}
    }

    private let loop: CurlLoop

    public init(configuration: Configuration = Configuration()) {
        loop = CurlLoop(configuration: configuration)
        loop.start()
    }

    deinit {
        loop.stop()
    }

    public func send(_ request: CurlRequest) async throws(CurlClientError) -> CurlResponse {
        // Unsafe rather than checked: a Transfer resumes exactly once (finished, failed or shut
        // down), and the checked wrapper's extra object per push showed in profiles.
        let result: Result<CurlResponse, CurlClientError> = await withUnsafeContinuation { continuation in
            loop.submit(Transfer(request: request, continuation: continuation))
        }
        return try result.get()
    }

    /// Fails everything in flight with `.shutDown` and stops the curl thread.
    public func shutdown() {
        loop.stop()
    }
}
