import Foundation
import MockProviders
import Testing
import ZmesTestSupport

/// The mocks must show whether a client multiplexes: streams on one connection vs a connection per push.
@Suite struct ConnectionTests {
    @Test func twoRequestsInOneCurlInvocationShareAConnection() async throws {
        try await APNsFixture.with { f in
            let headers = try f.headers()
            let first = try f.curl.requestArguments(f.apns.url + "/3/device/" + APNsFixture.device,
                                                    method: nil, headers: headers, body: APNsFixture.payload)
            let second = try f.curl.requestArguments(f.apns.url + "/3/device/" + String(repeating: "cd", count: 32),
                                                     method: nil, headers: headers, body: APNsFixture.payload)
            let output = ["-o", "/dev/null", "-w", "%{http_code} %{num_connects} %{http_version}\\n"]
            let run = try await Curl.run(output + first + ["--next"] + output + second)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stdout.split(separator: "\n") == ["200 1 2", "200 0 2"])  // HTTP/2, second transfer made no new connection
            #expect(await f.apns.connectionCount() == 1)
            let pushes = await f.apns.accepted()
            #expect(pushes.count == 2)
            #expect(Set(pushes.map(\.connectionID)) == [1])
        }
    }

    @Test func parallelRequestsAreMultiplexedOnOneConnection() async throws {
        try await APNsFixture.with { f in
            await f.apns.setResponseDelay(0.2)  // keep streams in flight together
            var arguments = ["--parallel", "--parallel-max", "20", "-w", "%{http_code}\\n"]
                + f.curl.common + ["--data-binary", "@" + (try f.curl.file("payload", contents: APNsFixture.payload))]
            for (name, value) in try f.headers() { arguments += ["-H", "\(name): \(value)"] }
            for i in 0..<10 {
                arguments += [f.apns.url + "/3/device/" + String(repeating: "0", count: 62) + String(format: "%02d", i), "-o", "/dev/null"]
            }
            let run = try await Curl.run(arguments)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stdout.split(separator: "\n").allSatisfy { $0 == "200" })
            #expect(await f.apns.accepted().count == 10)
            #expect(await f.apns.connectionCount() == 1)
        }
    }

    @Test func closeConnectionFaultForcesANewConnection() async throws {
        try await APNsFixture.with { f throws in
            await f.apns.inject(.closeConnection)
            await #expect(throws: Curl.CurlFailed.self) { try await f.push() }
            #expect(try await f.push().status == 200)
            #expect(await f.apns.connectionCount() == 2)
            #expect(await f.apns.accepted().first?.connectionID == 2)
        }
    }
}
