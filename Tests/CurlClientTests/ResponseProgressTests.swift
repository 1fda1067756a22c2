import Testing

@testable import CurlClient

/// When libcurl reports an error after a response, the response counts only if it arrived whole.
@Suite("A response cut short or whole")
struct ResponseProgressTests {
    func progress(_ lines: [String]) -> ResponseProgress {
        var progress = ResponseProgress()
        for line in lines {
            let bytes = Array(line.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                if line.hasPrefix("HTTP/") {
                    progress.statusLine(buffer)
                } else if line == "\r\n" {
                    progress.headerBlockEnded()
                }
            }
        }
        return progress
    }

    @Test("a 200 whose header block ended is whole, with a matching content-length or none and no body")
    func whole() {
        let ended = progress(["HTTP/2 200 \r\n", "\r\n"])
        #expect(ended.isComplete(headers: ["content-length": "0"], bodyCount: 0))
        #expect(ended.isComplete(headers: [:], bodyCount: 0))
        let error = progress(["HTTP/2 400 \r\n", "\r\n"])
        #expect(error.isComplete(headers: ["content-length": "30"], bodyCount: 30))
    }

    @Test("headers not ended, a body shorter than its content-length, an error status without a length, or only a 100 Continue: cut short")
    func cutShort() {
        #expect(!progress(["HTTP/2 200 \r\n"]).isComplete(headers: [:], bodyCount: 0))
        #expect(!progress(["HTTP/2 400 \r\n", "\r\n"]).isComplete(headers: ["content-length": "30"], bodyCount: 12))
        #expect(!progress(["HTTP/2 400 \r\n", "\r\n"]).isComplete(headers: [:], bodyCount: 12))
        #expect(!progress(["HTTP/2 200 \r\n", "\r\n"]).isComplete(headers: [:], bodyCount: 12))
        #expect(!progress(["HTTP/1.1 100 Continue\r\n", "\r\n"]).isComplete(headers: [:], bodyCount: 0))
        #expect(progress(["HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "\r\n"]).isComplete(headers: [:], bodyCount: 0))
        #expect(!progress(["HTTP/2 2x0 \r\n", "\r\n"]).isComplete(headers: [:], bodyCount: 0))
    }
}
