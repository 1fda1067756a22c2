import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port nobody listens on right now, for a server a test starts with its port in a file.
///
/// Chosen at random below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`, 32768 and up
/// by default), then checked by binding it: a port from the ephemeral range, free when checked, was
/// sometimes handed to another test's outgoing connection before the server bound it
/// ("address already in use"). Below the range only another test's choice can take it.
/// A port is handed out once per test process, so two servers of one test never get the same.
public func freeLoopbackPort() throws -> Int {
    let range = belowEphemeralPorts()
    for _ in 0..<200 {
        let port = Int.random(in: range)
        guard portsHandedOut.withLock({ $0.insert(port).inserted }) else { continue }
        if canBind(port: port) { return port }
    }
    throw TestFailure("no free loopback port in \(range)")
}

private let portsHandedOut = Mutex<Set<Int>>([])

/// 20000 up to the start of the ephemeral range (read from /proc where it can be).
private func belowEphemeralPorts() -> ClosedRange<Int> {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    let start = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32768
    return start > 21_000 ? 20_000...(start - 1) : 10_000...19_999
}

private func canBind(port: Int) -> Bool {
    withLoopbackSocket(port: port) { fd, address, length in bind(fd, address, length) == 0 }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` now.
public func loopbackAccepts(port: Int) -> Bool {
    withLoopbackSocket(port: port) { fd, address, length in connect(fd, address, length) == 0 }
}

/// Runs `body` with a new TCP socket and the address 127.0.0.1:`port`, and closes the socket after.
private func withLoopbackSocket(port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
