import Foundation
import Logging
import Model
import Storage
import Testing
import ZmesTestSupport

/// Three `zmes serve` on one PostgreSQL store sharing one burst of pushes, one of them killed in the
/// middle of it (docs/POSTGRESQL.md, "Several instances on one database").
@Suite("Instances sharing a burst")
struct InstancesBurstTests {
    static let devices = 10_000

    @Test("three instances, 10,000 devices, one alarm, kill -9 of one mid-burst: every push delivered; those sent twice come only from the killed instance's claims in flight")
    func killOneOfThree() async throws {
        let postgres = try PostgresServer.shared()
        let database = try postgres.createDatabase()
        let shared = "store: {backend: postgres, url: \"\(postgres.url(database: database))\"}\npush: {claim_lease: 10}\n"
        try await PushFixture.with(apns: true, extraConfig: shared) { fixture in
            let apns = try #require(fixture.apns)
            var logger = Logger(label: "zmes-test")
            logger.logLevel = .critical
            let tokens = (1...Self.devices).map { String(format: "%064x", $0) }
            try await withStore(.postgres(PostgresLocation(url: postgres.url(database: database))), instanceId: "test", logger: logger) { store in
                try await store.register(
                    contentsOf: tokens.map { DeviceRegistration(token: $0, user: "alice", platform: .ios, state: .enabled, filter: nil, appVersion: "1.8.001") })
            }
            // The other two instances: their own ports and certificates, the same store.
            let others = try ["second", "third"].map { id in
                let directory = Zmes.makeDirectory()
                try Zmes.writeConfig(directory, server: ["instance_id: \(id)"], sections: shared)
                return directory
            }
            await apns.setResponseDelay(0.2)
            try await fixture.serving { first, _ in
                try await Zmes.serving(in: others[0]) { second, _ in
                    try await Zmes.serving(in: others[1]) { third, _ in
                        _ = try fixture.alarm(event: 1)
                        #expect(await eventually(timeout: .seconds(60)) { await apns.accepted().count >= 2_000 })
                        second.crash()
                        // What the killed instance had claimed and not yet recorded: its in-flight window.
                        let inFlight = Set(try postgres.psql(
                            "SELECT token FROM outbox WHERE claimed_by = 'second' AND claimed_at IS NOT NULL AND state IN ('queued', 'retrying')",
                            database: database))
                        let claimedBySecond = try postgres.psql("SELECT count(*) FROM outbox WHERE claimed_by = 'second'", database: database)
                        let acceptedAtKill = await apns.accepted().count
                        await apns.setResponseDelay(0)
                        let allArrived = await eventually(timeout: .seconds(120)) { Set(await apns.accepted().map(\.deviceToken)).count == Self.devices }
                        let accepted = await apns.accepted()
                        var sent: [String: Int] = [:]
                        for push in accepted { sent[push.deviceToken, default: 0] += 1 }
                        #expect(allArrived, "distinct tokens accepted: \(sent.count)")
                        let twice = Set(sent.filter { $0.value > 1 }.keys)
                        print(
                            "3 instances, \(Self.devices) devices: \(acceptedAtKill) accepted when the second was killed (it had claimed \(claimedBySecond.first ?? "?") jobs, \(inFlight.count) in flight); all delivered: \(allArrived); sent twice: \(twice.count), all in its in-flight window: \(twice.isSubset(of: inFlight))"
                        )
                        #expect(!inFlight.isEmpty, "the second instance was killed with pushes in flight")
                        #expect(twice.isSubset(of: inFlight), "sent twice outside the killed instance's window: \(twice.subtracting(inFlight).prefix(5))")
                        #expect(Set(sent.keys) == Set(tokens))
                        #expect(try await third.terminate() == 0)
                    }
                }
                #expect(try await first.terminate() == 0)
            }
        }
    }
}
