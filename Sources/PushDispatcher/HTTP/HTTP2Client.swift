import CCurl
import Foundation
import Synchronization

/// HTTP/2 over TLS through libcurl's multi interface: one long-lived multi handle on
/// its own thread, many streams multiplexed on few connections, reused easy handles.
///
/// Callers `await` a response; requests are handed to the curl thread through a
/// queue and `curl_multi_wakeup`, and completed through continuations.
public final class HTTP2Client: Sendable {
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

    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        // Unsafe rather than checked: a Transfer resumes exactly once (finished, failed or shut
        // down), and the checked wrapper's extra object per push showed in profiles.
        let result: Result<HTTPResponse, HTTPClientError> = await withUnsafeContinuation { continuation in
            loop.submit(Transfer(request: request, continuation: continuation))
        }
        return try result.get()
    }

    /// Fails everything in flight with `.shutDown` and stops the curl thread.
    public func shutdown() {
        loop.stop()
    }
}

/// One request on the curl thread: its easy handle's buffers and the waiting caller.
final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    private let continuation: UnsafeContinuation<Result<HTTPResponse, HTTPClientError>, Never>
    var responseBody: [UInt8] = []
    var responseHeaders: [String: String] = [:]
    var progress = ResponseProgress()
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its detailed error text here; it must outlive the easy handle's use of it.
    let errorBufferPointer: UnsafeMutablePointer<CChar>

    init(request: HTTPRequest, continuation: UnsafeContinuation<Result<HTTPResponse, HTTPClientError>, Never>) {
        self.request = request
        self.continuation = continuation
        errorBufferPointer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBufferPointer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBufferPointer.deallocate()
    }

    /// The server's whole answer arrived, whatever libcurl reports after it.
    var hasCompleteResponse: Bool {
        progress.isComplete(headers: responseHeaders, bodyCount: responseBody.count)
    }

    func complete(_ result: Result<HTTPResponse, HTTPClientError>) {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        continuation.resume(returning: result)
    }
}
