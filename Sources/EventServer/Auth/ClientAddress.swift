import Foundation

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed strictly (no host names).
struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    init?(_ text: some StringProtocol) {
        var text = String(text).trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }  // fe80::1%eth0
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d: count it as IPv4.
        if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xff && raw[11] == 0xff {
            bytes = Array(raw[12..<16])
        } else {
            bytes = raw
        }
    }

    var isIPv4: Bool { bytes.count == 4 }

    var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The budget a client's failed logins count against: the address itself for IPv4, its
    /// /64 for IPv6 (one subscriber usually holds a whole /64 and may pick any address in it).
    var rateLimitKey: String {
        guard !isIPv4 else { return description }
        return IPAddress(bytes: Array(bytes[0..<8]) + Array(repeating: 0, count: 8)).description + "/64"
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// An address or a network (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`), as `server.trusted_proxies` lists them.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    let network: IPAddress
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = IPAddress(parts[0]) else { return nil }
        let maximum = network.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.network = network
    }

    public var description: String { "\(network)/\(prefixLength)" }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, network.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            guard a & mask == b & mask else { return false }
            remaining -= bits
        }
        return true
    }
}

/// Who a websocket client is: the socket's peer, or, when that peer is a trusted proxy,
/// the address the proxies recorded in `X-Forwarded-For`.
struct ClientAddressResolver: Sendable {
    let trustedProxies: [AddressRange]

    /// - Parameters:
    ///   - peer: the socket's remote address.
    ///   - forwardedFor: every `X-Forwarded-For` header of the upgrade request, in order.
    /// - Returns: the right-most address that is not a trusted proxy. Entries left of it were
    ///   written by the client itself and prove nothing; an entry that is not an address stops
    ///   the walk at the last trusted hop.
    func clientAddress(peer: String, forwardedFor: [String]) -> String {
        guard let peerAddress = IPAddress(peer), isTrusted(peerAddress) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        var client = peerAddress
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { break }
            client = address
            if !isTrusted(address) { break }
        }
        return client.description
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
