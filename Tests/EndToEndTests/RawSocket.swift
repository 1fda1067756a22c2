import Foundation
import ZmesTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain blocking TCP socket to a loopback port, for requests no ordinary client would send
/// and for holding many connections open.
struct RawSocket {
    let fd: Int32

    /// Connects within `timeout` seconds (a full backlog makes connect wait: it must not wait forever).
    init(port: Int, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: \(String(cString: strerror(errno)))") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            let reason = String(cString: strerror(errno))
            socketClose(fd)
            throw TestFailure("connect to port \(port) failed: \(reason)")
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { socketSend(fd, $0.baseAddress, $0.count) }
            guard result > 0 else { throw TestFailure("send failed: \(String(cString: strerror(errno)))") }
            sent += result
        }
    }

    /// Everything until the peer closes; nil when the receive timeout passes first.
    func readToEnd() -> String? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: data, as: UTF8.self) }
            if count < 0 { return errno == ECONNRESET ? String(decoding: data, as: UTF8.self) : nil }
            data += buffer[0..<count]
        }
    }

    func close() {
        socketClose(fd)
    }

    /// One HTTP/1.1 request with `Connection: close`; returns the status and the body.
    static func http(port: Int, _ request: String) throws -> (status: Int, body: String) {
        let socket = try RawSocket(port: port, timeout: 15)
        defer { socket.close() }
        try socket.send(request)
        guard let response = socket.readToEnd() else { throw TestFailure("no HTTP response within 15 s") }
        guard let statusText = response.split(separator: " ", maxSplits: 2).dropFirst().first, let status = Int(statusText) else {
            throw TestFailure("not an HTTP response: \(response)")
        }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}

/// The C functions, out of reach of `RawSocket`'s own `send` and `close`.
private func socketSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    #else
    send(fd, bytes, count, 0)
    #endif
}

private func socketClose(_ fd: Int32) {
    _ = close(fd)
}
