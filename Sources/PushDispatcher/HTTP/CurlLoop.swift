import CCurl
import Foundation
import Synchronization

/// The thread that owns the multi handle. Only it touches libcurl handles;
/// other threads only append to `pending` and wake it.
final class CurlLoop: @unchecked Sendable {
    private struct Shared {
        var pending: [Transfer] = []
        var running = true
    }

    private let configuration: HTTP2Client.Configuration
    private let shared = Mutex(Shared())
    private let multi: UnsafeMutableRawPointer
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    // Owned by the curl thread only:
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init(configuration: HTTP2Client.Configuration) {
        self.configuration = configuration
        CurlGlobal.initialize()
        multi = curl_multi_init()
        zmes_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        zmes_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        zmes_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, configuration.maxConcurrentStreams)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "zmes-curl"
        self.thread = thread
        thread.start()
    }

    func submit(_ transfer: Transfer) {
        let accepted = shared.withLock { state -> Bool in
            guard state.running else { return false }
            state.pending.append(transfer)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.complete(.failure(.shutDown))
        }
    }

    func stop() {
        let wasRunning = shared.withLock { state -> Bool in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning, thread != nil else { return }
        curl_multi_wakeup(multi)
        finished.wait()
    }

    private func run() {
        var stillRunning: Int32 = 0
        while true {
            let (batch, running) = shared.withLock { state in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, state.running)
            }
            guard running else { break }
            for transfer in batch { begin(transfer) }
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            curl_multi_poll(multi, nil, 0, 1_000, nil)
        }
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.complete(.failure(.shutDown))
        }
        active.removeAll()
        for transfer in shared.withLock({ state in state.pending }) { transfer.complete(.failure(.shutDown)) }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        finished.signal()
    }

    private func begin(_ transfer: Transfer) {
        let handle: UnsafeMutableRawPointer
        if let reused = idleHandles.popLast() {
            curl_easy_reset(reused)
            handle = reused
        } else if let created = curl_easy_init() {
            handle = created
        } else {
            transfer.complete(.failure(.transport(code: -1, message: "curl_easy_init failed")))
            return
        }
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        zmes_easy_setopt_string(handle, CURLOPT_URL, request.url)
        zmes_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        zmes_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1)
        zmes_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = request.caFile, !caFile.isEmpty {
            zmes_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)
        }
        zmes_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        zmes_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, configuration.responseTimeout.milliseconds)
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, max(1, configuration.keepAliveInterval.milliseconds / 1_000))
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, max(1, configuration.keepAliveInterval.milliseconds / 1_000))
        zmes_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, transfer.errorBufferPointer)
        zmes_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context)
        zmes_easy_setopt_write_function(handle, curlWriteBody)
        zmes_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        zmes_easy_setopt_header_function(handle, curlWriteHeader)
        zmes_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        }
        transfer.headerList = list
        zmes_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        if request.method == "POST" || !request.body.isEmpty {
            zmes_easy_setopt_long(handle, CURLOPT_POST, 1)
            zmes_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count)
            request.body.withUnsafeBytes { bytes in
                _ = zmes_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }
        if request.method != "POST" && request.method != "GET" {
            zmes_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        active[handle] = transfer
        curl_multi_add_handle(multi, handle)
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, handle)
            guard let transfer = active.removeValue(forKey: handle) else { continue }
            if code == CURLE_OK {
                var status = 0
                zmes_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                transfer.complete(.success(HTTPResponse(status: status, headers: transfer.responseHeaders, body: transfer.responseBody)))
            } else {
                let detail = String(cString: transfer.errorBufferPointer)
                let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
                transfer.complete(.failure(.transport(code: Int(code.rawValue), message: message)))
            }
            idleHandles.append(handle)
        }
    }
}

/// `curl_global_init` must run once before any other libcurl call, and not concurrently.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() {
        _ = initialized
    }
}

private let curlWriteBody: zmes_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private let curlWriteHeader: zmes_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        transfer.responseHeaders = [:]  // a new response (e.g. after 100 Continue)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.responseHeaders[name] = value
    }
    return length
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
