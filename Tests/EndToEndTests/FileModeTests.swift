import Foundation
import Testing
import ZmesTestSupport

/// The store and the TLS key hold secrets: only zmes's user may read them, whatever the umask.
@Suite("File modes of the data directory", .serialized)
struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("under umask 022 a fresh data directory is 0700 and the store, its -wal and -shm and the TLS key are 0600")
    func freshDataDirectory() async throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        try await Zmes.serving(in: directory, launcher: ["/bin/sh", "-c", "umask 022 && exec \"$0\" \"$@\""]) { server, _ in
            let data = directory + "/zmes-data"
            let modes = try [
                ("zmes-data", Self.mode(data)),
                ("zmes.sqlite", Self.mode(data + "/zmes.sqlite")),
                ("zmes.sqlite-wal", Self.mode(data + "/zmes.sqlite-wal")),
                ("zmes.sqlite-shm", Self.mode(data + "/zmes.sqlite-shm")),
                ("zmes-key.pem", Self.mode(data + "/zmes-key.pem")),
            ]
            print(modes.map { "\($0.0) \(String($0.1, radix: 8))" }.joined(separator: ", "))
            #expect(modes[0].1 == 0o700)
            for (name, mode) in modes.dropFirst() {
                #expect(mode == 0o600, "\(name) is \(String(mode, radix: 8))")
            }
            #expect(try await server.terminate() == 0)
        }
    }

    @Test("a store an older zmes left world-readable is made 0600 when it is opened")
    func olderStoreIsRestricted() throws {
        let directory = Zmes.makeDirectory()
        try Zmes.writeConfig(directory)
        let added = try Zmes.run(["user", "add", "bob", "--password-stdin"], in: directory, input: "pw\n")
        #expect(added.status == 0, "\(added.errors)")
        let store = directory + "/zmes-data/zmes.sqlite"
        #expect(chmod(store, 0o644) == 0)
        let listed = try Zmes.run(["user", "list"], in: directory)
        #expect(listed.status == 0, "\(listed.errors)")
        let mode = try Self.mode(store)
        print("zmes.sqlite after a command: \(String(mode, radix: 8))")
        #expect(mode == 0o600)
    }
}
