/// Whether two byte sequences are equal, in a time that depends only on their lengths: how secrets given
/// by a client (an admin token, a picture link's signature, a console CSRF token) are compared, so a
/// wrong guess does not tell how many of its first bytes were right.
public func constantTimeEqual(_ a: some Sequence<UInt8>, _ b: some Sequence<UInt8>) -> Bool {
    let x = Array(a), y = Array(b)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
