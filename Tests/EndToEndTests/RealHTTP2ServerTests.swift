import CurlClient
import Foundation
import MockProviders
import Model
import Storage
import Testing
import ZmesTestSupport

/// nginx 1.22 as the APNs endpoint: a real HTTP/2 server, which answers `return 200` before it
/// has read a request's body and then resets the stream with NO_ERROR (RFC 9113 §8.1).
/// libcurl 7.88 reports error 92 for such a transfer although the 200 arrived whole.
@Suite(
    "A real HTTP/2 server (nginx)", .serialized,
    .enabled(if: Nginx.isInstalled, "nginx is not installed (/usr/sbin/nginx): apt-get install nginx-light to run these tests"))
struct RealHTTP2ServerTests {
    @Test("CurlClient: 2,000 POSTs to nginx's `return 200` all come back as 200, none as an error")
    func clientGetsEveryAnswer() async throws {
        let directory = Zmes.makeDirectory()
        let authority = try TestCertificateAuthority()
        try authority.writeCA(to: directory + "/ca.pem")
        let nginx = try await Nginx(in: directory + "/nginx", certificatePEM: authority.serverCertificatePEM, privateKeyPEM: authority.serverPrivateKeyPEM)
        defer { nginx.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let body = Array(#"{"aps":{"alert":{"title":"Garage Alarm (1)","body":"Motion at 10:00"},"badge":1},"mid":"1","eid":"1"}"#.utf8)
        let count = 2_000
        let results = await withTaskGroup(of: Result<CurlResponse, CurlClientError>.self) { group in
            var inFlight = 0
            var results: [Result<CurlResponse, CurlClientError>] = []
            for index in 0..<count {
                if inFlight == 128, let done = await group.next() {
                    results.append(done)
                    inFlight -= 1
                }
                let request = CurlRequest(
                    url: nginx.url + "/3/device/" + String(format: "%064x", index + 1),
                    headers: [("content-type", "application/json")], body: body, caFile: directory + "/ca.pem")
                group.addTask {
                    do throws(CurlClientError) { return .success(try await client.send(request)) } catch { return .failure(error) }
                }
                inFlight += 1
            }
            for await done in group { results.append(done) }
            return results
        }
        var errors: [String: Int] = [:]
        for case .failure(let error) in results { errors["\(error)", default: 0] += 1 }
        let ok = results.filter { (try? $0.get().status) == 200 }.count
        let logged = try nginx.loggedRequests()
        print("nginx burst (client): \(ok) of \(count) answered 200, errors: \(errors); nginx logged \(logged.values.reduce(0, +)) POSTs")
        #expect(errors.isEmpty)
        #expect(ok == count)
        #expect(logged.count == count && logged.values.allSatisfy { $0 == 1 })
    }

    @Test("zmes serve, a burst of 5,000 pushes with nginx as APNs: each device's push reaches nginx exactly once and is recorded delivered")
    func burstDeliversEachPushOnce() async throws {
        try await PushFixture.with(registerCredentials: false) { fixture in
            let nginx = try await Nginx(
                in: fixture.directory + "/nginx", certificatePEM: fixture.authority.serverCertificatePEM,
                privateKeyPEM: fixture.authority.serverPrivateKeyPEM)
            defer { nginx.stop() }
            try fixture.addCredentials(fixture.apnsCredential(name: "nginx-apns", endpoint: nginx.url))

            let count = 5_000
            let tokens = try await PushDeliveryTests.addDevices(count, to: fixture.store())
            try await fixture.serving { server, _ in
                _ = try fixture.alarm(event: 7001)

                let store = try fixture.store()
                let settled = await eventually(timeout: .seconds(240), every: .milliseconds(250)) {
                    let counts = (try? await store.outboxCounts()) ?? [:]
                    return counts[.delivered, default: 0] + counts[.failed, default: 0] == count
                }
                let counts = try await store.outboxCounts()
                let logged = try nginx.loggedRequests()
                let twice = logged.filter { $0.value > 1 }
                let retried = try await store.pushJobs(state: .delivered, limit: 2 * count).filter { $0.attempts > 1 }
                print(
                    "nginx burst (zmes): outbox \(counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted()); nginx logged \(logged.values.reduce(0, +)) POSTs for \(logged.count) devices, \(twice.count) more than once; \(retried.count) pushes took more than one attempt"
                )
                #expect(settled)
                #expect(counts[.delivered] == count)
                #expect(Set(logged.keys) == Set(tokens.map { "/3/device/" + $0 }))
                #expect(twice.isEmpty, "devices sent twice: \(twice.count)")
                #expect(retried.isEmpty, "first errors: \(retried.prefix(3).map { $0.lastError ?? "" })")
                #expect(try await server.terminate() == 0)
            }
        }
    }
}
