import CCurl

/// One request on the curl thread: its easy handle's buffers and the waiting caller.
final class Transfer: @unchecked Sendable {
    let request: CurlRequest
    private let continuation: UnsafeContinuation<Result<CurlResponse, CurlClientError>, Never>
    var responseBody: [UInt8] = []
    var responseHeaders: [String: String] = [:]
    var progress = ResponseProgress()
    /// When the curl thread first saw the whole answer in while libcurl still held the transfer open.
    var answeredAt: ContinuousClock.Instant?
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its detailed error text here; it must outlive the easy handle's use of it.
    let errorBufferPointer: UnsafeMutablePointer<CChar>

    init(request: CurlRequest, continuation: UnsafeContinuation<Result<CurlResponse, CurlClientError>, Never>) {
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

    /// The whole answer is in by the server's own count (`content-length`), so nothing more can
    /// come: a 2xx without a length might still be sending its body.
    var hasAnswerOfDeclaredLength: Bool {
        responseHeaders["content-length"] != nil && hasCompleteResponse
    }

    func complete(_ result: Result<CurlResponse, CurlClientError>) {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        continuation.resume(returning: result)
    }
}
