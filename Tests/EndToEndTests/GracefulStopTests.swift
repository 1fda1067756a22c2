import Foundation
import MockProviders
import Testing
import ZmesTestSupport

@Suite("Graceful stop during a push burst", .serialized)
struct GracefulStopTests {
    @Test("SIGTERM in the middle of a burst of 500 pushes, then a restart: every device has received exactly one push")
    func sigtermDuringBurst() async throws {
        // Slow answers spread the burst over several seconds, so the stop lands in its middle.
        try await PushFixture.burst(devices: 500, responseDelay: 1) { fixture, apns, tokens, server in
            #expect(await eventually(timeout: .seconds(30)) { await apns.acceptedCount() >= 100 })
            #expect(try await server.terminate(timeout: .seconds(60)) == 0)
            let beforeExit = await apns.acceptedCount()
            #expect(beforeExit < 500, "the burst ended before the stop; the test proves nothing")
            await apns.setResponseDelay(0)

            try await fixture.serving { server, _ in
                let allArrived = await eventually(timeout: .seconds(90)) { Set(await apns.accepted().map(\.deviceToken)).count == 500 }
                #expect(allArrived)
                try await Task.sleep(for: .seconds(2))  // a second push, if any, comes with the first ones
                let perDevice = Dictionary(grouping: await apns.accepted(), by: \.deviceToken).mapValues(\.count)
                let repeated = perDevice.values.filter { $0 > 1 }.count
                print("graceful stop: \(beforeExit) pushes answered before exit; after restart \(perDevice.count) devices, \(repeated) with more than one push")
                #expect(Set(perDevice.keys) == Set(tokens))
                #expect(repeated == 0)
                #expect(try await server.terminate() == 0)
            }
        }
    }
}
