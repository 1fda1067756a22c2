import Foundation
import Testing
import ZmesTestSupport

/// `Resources/zmes.service` as shipped: it must read ZoneMinder's shared memory, keep its files private and be hardened.
@Suite("The systemd unit")
struct SystemdUnitTests {
    static var unitPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/zmes.service").path
    }

    /// Every `Key=value` of the [Service] section (a key set twice keeps both values).
    static func serviceSettings(_ text: String) -> [String: [String]] {
        var section = ""
        var settings: [String: [String]] = [:]
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }

    @Test("the unit sets the group, umask, open files and hardening; the install comment copies zmes.yml 0640")
    func requiredSettings() throws {
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        let settings = Self.serviceSettings(text)
        let required: [(String, String)] = [
            ("SupplementaryGroups", "www-data"), ("UMask", "0077"), ("LimitNOFILE", "65536"),
            ("NoNewPrivileges", "true"), ("ProtectSystem", "strict"), ("ProtectHome", "true"), ("PrivateTmp", "true"),
            ("ProtectKernelTunables", "true"), ("ProtectKernelModules", "true"), ("ProtectControlGroups", "true"),
            ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"), ("RestrictNamespaces", "true"), ("LockPersonality", "true"),
            ("SystemCallFilter", "@system-service"), ("SystemCallArchitectures", "native"),
        ]
        for (key, value) in required {
            #expect(settings[key]?.contains(value) == true, "\(key)=\(value) missing; found \(settings[key] ?? [])")
        }
        #expect(text.contains("install -m 0640") && text.contains("/etc/zmes/zmes.yml"))
        #expect(!text.contains("install -m 0644 Resources/zmes.example.yml"))
    }

    @Test("systemd-analyze verify accepts the unit and rates its exposure at most 3.0 (skipped where systemd-analyze is missing)")
    func systemdAnalyze() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            print("systemd-analyze is not installed here: only the settings test ran")
            return
        }
        // The unit names /usr/bin/zmes (the package's); verify checks that the program exists, so point it at the one just built.
        let directory = Zmes.makeDirectory()
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/bin/zmes ", with: "ExecStart=\(Zmes.executable.path) ")
        try text.write(toFile: directory + "/zmes.service", atomically: true, encoding: .utf8)
        let verify = try Self.run(analyze, ["verify", directory + "/zmes.service"])
        print("systemd-analyze verify: exit \(verify.status) \(verify.output)")
        #expect(verify.status == 0)
        let complaints = verify.output.split(separator: "\n").filter { $0.contains("zmes.service") }
        #expect(complaints.isEmpty, "\(complaints)")
        let security = try Self.run(analyze, ["security", "--offline=true", "--threshold=30", directory + "/zmes.service"])
        let overall = security.output.split(separator: "\n").last { $0.contains("Overall exposure") } ?? "no overall line"
        print("systemd-analyze security: exit \(security.status), \(overall)")
        #expect(security.status == 0, "\(overall)")
    }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try launch(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
