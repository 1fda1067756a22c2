import Foundation

/// A minimal HTTP/1.1 client over a blocking loopback socket. The admin API is
/// plain HTTP on 127.0.0.1; a one-shot socket adds the least of our own time
/// to what is measured (no client library, no event loop hop).
public enum BlockingHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func post(port: Int, path: String, json: String) throws(BenchmarkError) -> Response {
        try request("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\nConnection: close\r\n\r\n\(json)", port: port)
    }

    public static func get(port: Int, path: String) throws(BenchmarkError) -> Response {
        try request("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    private static func request(_ text: String, port: Int) throws(BenchmarkError) -> Response {
        let fd = try LoopbackSocket.connect(port: port)
        defer { close(fd) }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw .http("write failed: errno \(errno)") }
            written += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw .http("read failed: errno \(errno)") }
            if n == 0 { break }
            received.append(contentsOf: chunk[0..<n])
        }
        bytes = received
        let response = String(decoding: bytes, as: UTF8.self)
        let parts = response.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw .http("not an HTTP response: \(response.prefix(80))") }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }
}

/// Loopback TCP helpers: free ports and blocking connects.
public enum LoopbackSocket {
    /// A loopback port nobody listens on right now (bound to 0, read back, closed).
    public static func freePort() throws(BenchmarkError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .launchFailed("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw .launchFailed("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A connected blocking socket to 127.0.0.1:port; throws when nobody listens.
    public static func connect(port: Int) throws(BenchmarkError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .http("socket() failed") }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            throw .http("connect to port \(port) refused")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

/// Polls `/healthz` until it counts `sessions` authenticated sessions, for up to 5 s, and
/// returns the last answer. A server may send `Success` a moment before it counts the
/// session (the bare reference server does), so one read straight after the last login can be short by one.
public func awaitAuthenticatedSessions(_ sessions: Int, adminPort: Int) throws -> String {
    let deadline = Date().addingTimeInterval(5)
    while true {
        let health = try BlockingHTTP.get(port: adminPort, path: "/healthz").body
        if health.contains("\"authenticatedSessions\":\(sessions)") || Date() > deadline { return health }
        Thread.sleep(forTimeInterval: 0.05)
    }
}
