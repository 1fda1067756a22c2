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

    private let configuration: CurlClient.Configuration
    private let shared = Mutex(Shared())
    private let multi: UnsafeMutableRawPointer
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    // Owned by the curl thread only:
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    /// Finished handles keep their fixed options, so they are kept apart by the CA file they verify with.
    private var idleHandles: [String: [UnsafeMutableRawPointer]] = [:]
    private var lastAnsweredCheck = ContinuousClock.now

    /// How long a transfer may stay open once its whole answer is in (`finishAnsweredTransfers`).
    static let answeredTransferGrace: Duration = .seconds(1)

    init(configuration: CurlClient.Configuration) {
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
        let (accepted, first) = shared.withLock { state -> (Bool, Bool) in
            guard state.running else { return (false, false) }
            state.pending.append(transfer)
            return (true, state.pending.count == 1)
        }
        if !accepted {
            transfer.complete(.failure(.shutDown))
        } else if first {
            // One wake-up per batch: the thread takes everything pending when it wakes.
            curl_multi_wakeup(multi)
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
            let now = ContinuousClock.now
            if now - lastAnsweredCheck >= .milliseconds(250) {
                lastAnsweredCheck = now
                finishAnsweredTransfers(now: now)
            }
            curl_multi_poll(multi, nil, 0, 1_000, nil)
        }
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.complete(.failure(.shutDown))
        }
        active.removeAll()
        for transfer in shared.withLock({ state in state.pending }) { transfer.complete(.failure(.shutDown)) }
        for handle in idleHandles.values.joined() { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        finished.signal()
    }

    private func begin(_ transfer: Transfer) {
        let request = transfer.request
        let caFile = request.caFile ?? ""
        let handle: UnsafeMutableRawPointer
        if let reused = idleHandles[caFile]?.popLast() {
            handle = reused
        } else if let created = curl_easy_init() {
            handle = created
            configure(handle, caFile: caFile)
        } else {
            transfer.complete(.failure(.transport(code: -1, message: "curl_easy_init failed")))
            return
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        zmes_easy_setopt_string(handle, CURLOPT_URL, request.url)
        zmes_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, transfer.errorBufferPointer)
        zmes_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context)
        zmes_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        zmes_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        if !request.headers.contains(where: { Self.isExpect($0.name) }) {
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
        } else {
            zmes_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        if request.method != "POST" && request.method != "GET" {
            zmes_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        } else {
            zmes_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil)
        }
        active[handle] = transfer
        curl_multi_add_handle(multi, handle)
    }

    /// `Expect`, in any case, without lower-casing every header name of every request.
    private static func isExpect(_ name: String) -> Bool {
        name.utf8.count == 6 && zip(name.utf8, "expect".utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    /// The options every request shares, set once per handle rather than once per request.
    private func configure(_ handle: UnsafeMutableRawPointer, caFile: String) {
        zmes_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        zmes_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1)
        zmes_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        zmes_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if !caFile.isEmpty {
            zmes_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)
        }
        zmes_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        zmes_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, configuration.responseTimeout.milliseconds)
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, max(1, configuration.keepAliveInterval.milliseconds / 1_000))
        zmes_easy_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, max(1, configuration.keepAliveInterval.milliseconds / 1_000))
        zmes_easy_setopt_write_function(handle, curlWriteBody)
        zmes_easy_setopt_header_function(handle, curlWriteHeader)
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, handle)
            guard let transfer = active.removeValue(forKey: handle) else { continue }
            // An error after the server's whole answer is still that answer: the server acted on
            // the request, so sending it again would do it twice (see `ResponseProgress`).
            if code == CURLE_OK || transfer.hasCompleteResponse {
                completeWithAnswer(transfer, handle: handle)
            } else {
                let detail = String(cString: transfer.errorBufferPointer)
                let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
                transfer.complete(.failure(.transport(code: Int(code.rawValue), message: message)))
                idleHandles[transfer.request.caFile ?? "", default: []].append(handle)
            }
        }
    }

    /// Ends the transfers whose whole answer (by its `content-length`) has been in for ``answeredTransferGrace`` while libcurl
    /// still holds them open. A server may answer before it has read the request body and leave the
    /// stream open without reading the rest (RFC 9113 §8.1 asks for a reset, not every server sends
    /// one): libcurl 7.88 then waits to send the body until the response timeout, 30 s of a push
    /// slot for an answer already in hand. Removing the handle resets that stream alone.
    private func finishAnsweredTransfers(now: ContinuousClock.Instant) {
        var answered: [(handle: UnsafeMutableRawPointer, transfer: Transfer)] = []
        for (handle, transfer) in active where transfer.hasAnswerOfDeclaredLength {
            if let since = transfer.answeredAt {
                if now - since >= Self.answeredTransferGrace { answered.append((handle, transfer)) }
            } else {
                transfer.answeredAt = now
            }
        }
        for (handle, transfer) in answered {
            curl_multi_remove_handle(multi, handle)
            active.removeValue(forKey: handle)
            completeWithAnswer(transfer, handle: handle)
        }
    }

    private func completeWithAnswer(_ transfer: Transfer, handle: UnsafeMutableRawPointer) {
        var status = 0
        zmes_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        transfer.complete(.success(CurlResponse(status: status, headers: transfer.responseHeaders, body: transfer.responseBody)))
        idleHandles[transfer.request.caFile ?? "", default: []].append(handle)
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
    data.withMemoryRebound(to: UInt8.self, capacity: length) { start in
        let line = UnsafeBufferPointer(start: start, count: length)
        if line.starts(with: "HTTP/".utf8) {
            transfer.responseHeaders = [:]  // a new response (e.g. after 100 Continue)
            transfer.progress.statusLine(line)
        } else if line.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {
            transfer.progress.headerBlockEnded()
        } else if let header = ResponseHeaderLine(line) {
            transfer.responseHeaders[header.name] = header.value
        }
    }
    return length
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
