import Foundation
import Testing

@testable import EventServer

/// `docs/CONFIGURATION.md` must name exactly the keys the loader accepts, so the doc cannot drift.
@Suite("Configuration doc")
struct ConfigurationDocTests {
    @Test("every key the loader accepts is in docs/CONFIGURATION.md")
    func noKeyMissing() throws {
        let documented = try Self.documentedKeys()
        let missing = Self.loaderKeys.subtracting(documented).sorted()
        #expect(missing.isEmpty, "keys missing from docs/CONFIGURATION.md: \(missing)")
    }

    @Test("docs/CONFIGURATION.md names no key the loader does not know")
    func noUnknownKey() throws {
        let documented = try Self.documentedKeys()
        let unknown = documented.subtracting(Self.loaderKeys).sorted()
        #expect(unknown.isEmpty, "keys in docs/CONFIGURATION.md the loader does not accept: \(unknown)")
    }

    static var loaderKeys: Set<String> {
        Set(ConfigurationLoader.scalarKeys + ConfigurationLoader.listKeys)
    }

    /// The backticked names in the first column of the doc's table rows (`| \`server.port\` | ...`).
    static func documentedKeys() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // EventServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
        let text = try String(contentsOf: root.appendingPathComponent("docs/CONFIGURATION.md"), encoding: .utf8)
        var keys: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: true)
            guard let first = cells.first else { continue }
            for (index, part) in first.split(separator: "`", omittingEmptySubsequences: false).enumerated() where index % 2 == 1 {
                keys.insert(part.trimmingCharacters(in: .whitespaces))
            }
        }
        #expect(!keys.isEmpty, "no key rows found in docs/CONFIGURATION.md")
        return keys
    }
}
