import CurlClient
import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// A server that answers a request before reading its body and then leaves the stream open
/// without reading the rest (no RST_STREAM): libcurl 7.88 keeps waiting to send the body, and
/// without zmes's own check the push's answer would come only at the response timeout.
@Suite("A server that answers before reading the body")
struct EarlyAnswerTests {
    @Test("the 200 is taken about a second after it arrived, not at the 30 s response timeout; the next request goes through")
    func answerTakenWithoutTheTimeout() async throws {
        let directory = Zmes.makeDirectory()
        let authority = try TestCertificateAuthority()
        try authority.writeCA(to: directory + "/ca.pem")
        let server = try await HTTP2MockServer(tlsConfiguration: try authority.serverTLSConfiguration(), answersBeforeRequestBody: true) { _ in
            .response(status: 200, headers: [("apns-id", "early")], body: [])
        }
        defer { Task { await server.shutdown() } }
        var configuration = CurlClient.Configuration()
        configuration.responseTimeout = .seconds(60)
        let client = CurlClient(configuration: configuration)
        defer { client.shutdown() }
        // Larger than the stream's 64 KiB window: the server never takes the rest of it.
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024)
        let url = "https://127.0.0.1:\(server.port)/3/device/" + String(repeating: "ab", count: 32)
        for attempt in 1...2 {
            let started = ContinuousClock.now
            let response = try await client.send(CurlRequest(url: url, headers: [("content-type", "application/json")], body: body, caFile: directory + "/ca.pem"))
            let waited = ContinuousClock.now - started
            print("early answer \(attempt): HTTP \(response.status) after \(waited)")
            #expect(response.status == 200)
            #expect(response.headers["apns-id"] == "early")
            #expect(waited < .seconds(15), "the answer waited for the response timeout")
        }
    }
}
