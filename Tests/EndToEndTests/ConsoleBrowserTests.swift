import Foundation
import Testing
import ZmesTestSupport

/// The console in a real headless Chromium, driven by Selenium (`Browser/console_browser.py`; Debian's
/// `chromium`, `chromium-driver` and `python3-selenium`, which `.ci/run` installs), against `zmes serve`
/// with a mock APNs that refuses the first push.
@Suite("Console in Chromium")
struct ConsoleBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/console_browser.py").path

    @Test("log in; the overview matches the JSON API; a failed push shows its reason and Replay delivers it; a monitor muted from the page sends nothing; a credentials file uploaded is used at once; CSRF; log out; ordinary users refused")
    func console() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestFailure("\(tool) is missing: apt-get install chromium chromium-driver python3-selenium")
        }
        // APNs registered from the command line; FCM only by the upload on the Credentials page.
        try await PushFixture.with(apns: true, fcm: true, registerCredentials: false) { fixture in
            try fixture.addCredentials(try fixture.apnsCredential(name: "test-apns", endpoint: try #require(fixture.apns).url))
            let added = try Zmes.run(["user", "add", "ops", "--admin", "--password-stdin"], in: fixture.directory, input: "ops-pw-0001\n")
            #expect(added.status == 0, "\(added.errors)")
            let upload = try Self.writeUpload(fixture)
            try await fixture.serving { server, ports in
                let token = String(repeating: "5e", count: 32)
                let phone = try await fixture.connectPhone(ports, token: token, platform: "ios")
                let apns = try #require(fixture.apns)
                await apns.injectAPNsError(status: 400, reason: "DeviceTokenNotForTopic")
                _ = try fixture.alarm(event: 1)
                #expect(try await eventually { try Zmes.json(["push", "list", "--json", "--state", "failed"], in: fixture.directory).count == 1 })
                // A second phone, which the page disables.
                try await fixture.registerPhone(ports, token: String(repeating: "7a", count: 32), platform: "ios")

                let screenshots = ProcessInfo.processInfo.environment["ZMES_TEST_SCREENSHOT_DIR"] ?? (fixture.directory + "/screenshots")
                try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
                let run = try await Self.python(
                    [Self.script, "http://127.0.0.1:\(ports.admin)", "ops", "ops-pw-0001", "alice", PushFixture.password, screenshots, upload])
                let checks = run.output.split(separator: "\n").compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                }
                #expect(checks.count == 15, "the browser script ran \(checks.count) checks of 15: \(run.errors.suffix(2_000))")
                print(checks.map { "\($0["check"] ?? ""): \($0["detail"] ?? "")" }.joined(separator: "\n"))
                for check in checks {
                    #expect(check["ok"] as? Bool == true, "\(check["check"] ?? "?"): \(check["detail"] ?? "")")
                }
                // The pushes APNs took, leaving out the credential probe's (its dummy token is all zeros).
                let alarms = { await apns.accepted().filter { !$0.payloadString.contains("zmes probe") } }
                // The replayed push, and the live-update alarm's to both phones.
                #expect(await alarms().count == 3, "the replayed push and the live alarm's two reached APNs")
                // Monitor 1, muted from the page, sends nothing for its next alarm; monitor 2 still does, to the
                // first phone only: the second was disabled from the page.
                #expect(try fixture.alarm(monitor: 1, event: 2).contains("\"muted\""))
                _ = try fixture.alarm(monitor: 2, event: 3)
                #expect(await eventually { await alarms().count == 4 })
                try await Task.sleep(for: .seconds(1))
                #expect(await alarms().count == 4, "the disabled phone got no push")
                #expect(await alarms().allSatisfy { !$0.payloadString.contains("\"eid\":\"2\"") })
                for page in ["login", "overview", "pushes", "devices", "monitors", "users", "credentials"] {
                    for width in ["desktop", "phone"] {
                        #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(page)-\(width).png"), "\(page) at \(width) width")
                    }
                }
                // The FCM credential uploaded from the page is in use without a restart: an Android phone gets its push.
                let fcm = try #require(fixture.fcm)
                try await fixture.registerPhone(ports, token: PushDeliveryTests.androidToken, platform: "android")
                _ = try fixture.alarm(monitor: 2, event: 4)
                #expect(await eventually { await fcm.accepted().count == 1 }, "the uploaded FCM credential sends the Android phone's push")
                await phone.close()
                #expect(try await server.terminate() == 0)
            }
        }
    }

    /// A folder with what an operator uploads from the Credentials page: `credentials.yml` with the FCM mock's
    /// service account beside it (its CA bundle named by absolute path, as an upload requires).
    static func writeUpload(_ fixture: PushFixture) throws -> String {
        let folder = fixture.directory + "/upload"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try #require(fixture.fcm).serviceAccountJSON().write(toFile: folder + "/service-account.json", atomically: true, encoding: .utf8)
        let yaml = """
            fcm:
              - name: uploaded-fcm
                service_account_file: service-account.json
                endpoint: \(try #require(fixture.fcm).url)
                ca_file: \(fixture.caPath)

            """
        try yaml.write(toFile: folder + "/credentials.yml", atomically: true, encoding: .utf8)
        return folder
    }

    /// Debian's python3 (its Selenium), not one a version manager puts first on PATH.
    static func python(_ arguments: [String]) async throws -> (output: String, errors: String) {
        try await Task.detached {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try launch(process)
            let outputData = output.fileHandleForReading.readDataToEndOfFile()
            let errorData = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
        }.value
    }
}
