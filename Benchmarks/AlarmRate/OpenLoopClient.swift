import CCurl
import Foundation
import ZmesBenchSupport

/// What one run of requests saw.
struct LoadResult: Sendable {
    var sent = 0
    var ok = 0
    var failed = 0
    var firstProblem: String?
    /// Seconds from the first request's scheduled time to the last answer.
    var seconds = 0.0
    /// Seconds from each request's *scheduled* time to its answer, sorted: a request that
    /// waited for a free handle counts its wait (no coordinated omission). In closed loop,
    /// from the moment it was handed to libcurl.
    var latencies: [Double] = []

    var achievedRate: Double { Double(ok) / seconds }
}

/// An HTTP/1.1 keep-alive client on one libcurl multi handle with `connections` easy
/// handles, which sends `count` POSTs at `rate` per second on a fixed schedule (open
/// loop), or as fast as the handles allow when `rate` is nil (closed loop).
/// Blocking: run it on its own thread.
struct OpenLoopClient {
    let url: String
    let connections: Int

    func run(count: Int, rate: Double?, body: (Int) -> String) -> LoadResult {
        let multi = curl_multi_init()!
        zmes_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections)
        var headers: UnsafeMutablePointer<curl_slist>?
        for header in ["Content-Type: application/json", "Expect:"] { headers = curl_slist_append(headers, header) }
        var idle: [UnsafeMutableRawPointer] = (0..<connections).map { _ in
            let handle = curl_easy_init()!
            zmes_easy_setopt_string(handle, CURLOPT_URL, url)
            zmes_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
            zmes_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            zmes_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 30_000)
            zmes_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
            zmes_easy_setopt_long(handle, CURLOPT_POST, 1)
            zmes_easy_setopt_write_function(handle, discardBody)
            return handle
        }
        let all = idle
        defer {
            for handle in all { curl_easy_cleanup(handle) }
            curl_multi_cleanup(multi)
            curl_slist_free_all(headers)
        }

        var result = LoadResult()
        var scheduled: [UnsafeMutableRawPointer: Double] = [:]
        let start = now()
        var next = 0
        var finished = 0
        while finished < count {
            let elapsed = now() - start
            let due = rate.map { min(count, Int(elapsed * $0) + 1) } ?? count
            while next < due, let handle = idle.popLast() {
                let text = body(next)
                zmes_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, text.utf8.count)
                _ = text.withCString { zmes_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) }
                scheduled[handle] = rate.map { start + Double(next) / $0 } ?? now()
                curl_multi_add_handle(multi, handle)
                next += 1
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                var status = 0
                zmes_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                if code == CURLE_OK && (200..<300).contains(status) {
                    result.ok += 1
                } else {
                    result.failed += 1
                    if result.firstProblem == nil {
                        result.firstProblem = code == CURLE_OK ? "HTTP \(status)" : String(cString: curl_easy_strerror(code))
                    }
                }
                result.latencies.append(now() - (scheduled.removeValue(forKey: handle) ?? start))
                curl_multi_remove_handle(multi, handle)
                idle.append(handle)
                finished += 1
            }
            // Sleep until the next request is due or an answer arrives.
            let wait = rate.map { rate in next < count ? max(0, Double(next) / rate - (now() - start)) : 0.01 } ?? 0.01
            if finished < count && (idle.isEmpty || next >= due) {
                curl_multi_poll(multi, nil, 0, Int32(min(10, max(0, wait * 1000))), nil)
            }
        }
        result.sent = next
        result.seconds = now() - start
        result.latencies.sort()
        return result
    }
}

/// A blocking GET of a small document (metrics, health).
func httpGet(_ url: String) -> String? {
    let handle = curl_easy_init()!
    defer { curl_easy_cleanup(handle) }
    let buffer = ResponseBuffer()
    let context = Unmanaged.passUnretained(buffer).toOpaque()
    zmes_easy_setopt_string(handle, CURLOPT_URL, url)
    zmes_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
    zmes_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 10_000)
    zmes_easy_setopt_write_function(handle, collectBody)
    zmes_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
    guard curl_easy_perform(handle) == CURLE_OK else { return nil }
    return String(decoding: buffer.bytes, as: UTF8.self)
}

private final class ResponseBuffer {
    var bytes: [UInt8] = []
}

private let collectBody: zmes_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: size * count) { buffer.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: size * count)) }
    return size * count
}

private let discardBody: zmes_data_callback = { _, size, count, _ in size * count }
