import CCurl
import Foundation
import ZmesBenchSupport

struct BareResult: Sendable {
    var seconds: Double
    var ok = 0
    var notOK = 0
    var transportErrors = 0
    /// Transfers that ended in CURLE_HTTP2_STREAM (92) after a whole 200 arrived: nginx answers
    /// `return 200` before it reads the body, then resets the stream with NO_ERROR, which
    /// libcurl 7.88 reports as an error. Counted apart from `transportErrors`, not as failures.
    var streamErrorsAfter200 = 0
    /// Other errors after a whole 200 (e.g. 18, a partial transfer cut by nginx's GOAWAY after
    /// `keepalive_requests`): also counted apart; the server's log says whether the request arrived.
    var otherErrorsAfter200 = 0
    var firstProblem: String?
    /// Requests the server logged (nginx's access log), when it keeps one.
    var arrived: Int?
}

/// The reference: the leanest libcurl multi loop for this job. One multi handle,
/// CURLPIPE_MULTIPLEX, PIPEWAIT, one connection per host, `inFlight` reused easy
/// handles (options set once, re-added as soon as they finish), nothing else.
/// Blocking: run it on its own thread.
func bareLibcurlLoop(n: Int, inFlight: Int, url: String, headers: [String], body: [UInt8], caFile: String) -> BareResult {
    let multi = curl_multi_init()!
    zmes_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    zmes_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1)

    var headerList: UnsafeMutablePointer<curl_slist>?
    for header in headers + ["Expect:"] { headerList = curl_slist_append(headerList, header) }
    let bodyBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, body.count))
    bodyBuffer.initialize(from: body, count: body.count)
    defer {
        curl_slist_free_all(headerList)
        bodyBuffer.deallocate()
    }

    var handles: [UnsafeMutableRawPointer] = []
    for _ in 0..<min(inFlight, n) {
        let handle = curl_easy_init()!
        zmes_easy_setopt_string(handle, CURLOPT_URL, url)
        zmes_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        zmes_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1)
        zmes_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        zmes_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)
        zmes_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        zmes_easy_setopt_long(handle, CURLOPT_POST, 1)
        zmes_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        zmes_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(bodyBuffer))
        zmes_easy_setopt_write_function(handle, discardBody)
        handles.append(handle)
    }

    var result = BareResult(seconds: 0)
    let start = now()
    var started = 0
    var finished = 0
    for handle in handles {
        curl_multi_add_handle(multi, handle)
        started += 1
    }
    var running: Int32 = 0
    while finished < n {
        curl_multi_perform(multi, &running)
        var remaining: Int32 = 0
        var readded = false
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            if code == CURLE_OK {
                let status = responseCode(handle)
                if status == 200 {
                    result.ok += 1
                } else {
                    result.notOK += 1
                    if result.firstProblem == nil { result.firstProblem = "HTTP \(status)" }
                }
            } else if code == CURLE_HTTP2_STREAM, responseCode(handle) == 200 {
                result.streamErrorsAfter200 += 1
            } else if responseCode(handle) == 200 {
                result.otherErrorsAfter200 += 1
                if result.firstProblem == nil { result.firstProblem = String(cString: curl_easy_strerror(code)) + " after 200" }
            } else {
                result.transportErrors += 1
                if result.firstProblem == nil { result.firstProblem = String(cString: curl_easy_strerror(code)) }
            }
            curl_multi_remove_handle(multi, handle)
            finished += 1
            if started < n {
                curl_multi_add_handle(multi, handle)
                started += 1
                readded = true
            }
        }
        if finished < n && !readded {
            curl_multi_poll(multi, nil, 0, 1_000, nil)
        }
    }
    result.seconds = now() - start
    for handle in handles { curl_easy_cleanup(handle) }
    curl_multi_cleanup(multi)
    return result
}

private func responseCode(_ handle: UnsafeMutableRawPointer) -> Int {
    var status = 0
    zmes_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    return status
}

private let discardBody: zmes_data_callback = { _, size, count, _ in size * count }
