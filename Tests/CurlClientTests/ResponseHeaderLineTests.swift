import Testing

@testable import CurlClient

@Suite("Reply header lines")
struct ResponseHeaderLineTests {
    @Test("reply header lines are split on the first colon, names lower-cased, values trimmed")
    func headerLines() {
        func parse(_ text: String) -> ResponseHeaderLine? {
            Array(text.utf8).withUnsafeBufferPointer { ResponseHeaderLine($0) }
        }
        #expect(parse("Retry-After: 2\r\n")?.name == "retry-after")
        #expect(parse("Retry-After: 2\r\n")?.value == "2")
        #expect(parse("apns-id:  a:b:c \r\n")?.value == "a:b:c")
        #expect(parse("\r\n") == nil)
        #expect(parse(": no name\r\n") == nil)
    }
}
