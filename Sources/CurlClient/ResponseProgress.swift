/// What arrived of a response, to tell a complete answer from a cut one when libcurl reports
/// an error at the end of a transfer.
///
/// libcurl 7.88 fails a POST with error 92 ("Stream error in the HTTP/2 framing layer") when
/// the server answers before it has read the request body and then resets the stream with
/// NO_ERROR, as RFC 9113 §8.1 allows and nginx does for `return 200`: the response was
/// received whole, but libcurl still tries to send the body on the closed stream
/// (`cf_h2_send`: "stream N closed"). libcurl 8.3.0 discards that body instead
/// (curl commit 331b89a, "http2: polish things around POST"). The request that gets nginx's
/// GOAWAY (after `keepalive_requests`) ends likewise in error 18 after its whole answer.
struct ResponseProgress {
    private(set) var status = 0
    private(set) var headersEnded = false

    /// `HTTP/2 200` and the like; an interim `1xx` block is followed by another.
    mutating func statusLine(_ line: UnsafeBufferPointer<UInt8>) {
        headersEnded = false
        status = 0
        guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return }
        var digits = 0
        for byte in line[(space + 1)...] {
            guard byte >= 0x30, byte <= 0x39, digits < 3 else { break }
            status = status * 10 + Int(byte - 0x30)
            digits += 1
        }
        if digits != 3 { status = 0 }
    }

    /// The blank line after a header block.
    mutating func headerBlockEnded() {
        if status >= 200 { headersEnded = true }
    }

    /// The final status and all its headers arrived, and the body is as long as the server said
    /// (`content-length`). Without a length only a 2xx without a body counts: the server accepted
    /// the request (APNs answers 200 with no body); a cut body of another status is not guessed at.
    func isComplete(headers: [String: String], bodyCount: Int) -> Bool {
        guard headersEnded else { return false }
        if let declared = headers["content-length"] { return Int(declared) == bodyCount }
        return (200..<300).contains(status) && bodyCount == 0
    }
}
