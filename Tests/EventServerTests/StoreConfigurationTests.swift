import Foundation
import Storage
import Testing

@testable import EventServer

@Suite("store: configuration")
struct StoreConfigurationTests {
    /// Loads `yaml` from a file with `environment`, as `zmes serve` does.
    func load(_ yaml: String, environment: [String: String] = [:]) throws -> Configuration {
        let path = NSTemporaryDirectory() + "zmes-store-config-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigurationLoader(environment: environment).load(path: path)
    }

    @Test("by default the store is the SQLite file at store.path")
    func sqliteByDefault() throws {
        let c = try load("store: {path: /var/lib/zmes/zmes.sqlite}")
        #expect(c.store.location == .sqlite(path: "/var/lib/zmes/zmes.sqlite"))
    }

    @Test("postgres: the URL's parts, the password from ZMES_STORE_PASSWORD, TLS as sslmode says")
    func postgresFromEnvironment() throws {
        let c = try load(
            "store: {backend: postgres, url: \"postgres://zmes@db.lan:6432/relay?sslmode=require\"}",
            environment: ["ZMES_STORE_PASSWORD": "s3cret"])
        #expect(c.store.location == .postgres(PostgresLocation(host: "db.lan", port: 6432, user: "zmes", password: "s3cret", database: "relay", tls: .require)))
        #expect(!c.store.location.description.contains("s3cret"))
    }

    @Test("postgres: the password from the URL, or from the first line of store.password_file")
    func passwordSources() throws {
        let inURL = try load("store: {backend: postgres, url: \"postgres://zmes:p%40ss@db.lan/zmes\"}")
        #expect(inURL.store.postgres?.password == "p@ss")
        #expect(inURL.store.postgres?.port == 5432)
        #expect(!inURL.store.location.description.contains("p@ss") && !inURL.store.location.description.contains("p%40ss"))
        let file = NSTemporaryDirectory() + "zmes-store-password-\(UUID().uuidString)"
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try load("store: {backend: postgres, url: \"postgres://zmes@db.lan/zmes\", password_file: \(file)}")
        #expect(fromFile.store.postgres?.password == "from-file")
    }

    @Test(
        "mistakes name the key, say what to do, and never repeat the password",
        arguments: [
            ("store: {backend: mysql}", [:], "'store.backend': must be sqlite or postgres, found 'mysql'"),
            ("store: {backend: postgres}", [:], "'store.url': must be set with store.backend: postgres"),
            ("store: {backend: postgres, url: \"mysql://u:hunter2@h/d\"}", [:], "'store.url': must be a URL postgres://"),
            ("store: {backend: postgres, url: \"postgres://u:hunter2@h\"}", [:], "'store.url': names no database"),
            ("store: {backend: postgres, url: \"postgres://h/d\"}", [:], "'store.url': names no user"),
            ("store: {backend: postgres, url: \"postgres://u@h/d?sslmode=maybe\"}", [:], "'store.url': sslmode must be one of disable, prefer, require"),
            ("store: {backend: postgres, url: \"postgres://u:hunter2@h/d\"}", ["ZMES_STORE_PASSWORD": "hunter3"], "'store.password': the PostgreSQL password is given more than once"),
            ("store: {backend: postgres, url: \"postgres://u@h/d\", password_file: /nonexistent/zmes-pw}", [:], "'store.password_file': cannot read /nonexistent/zmes-pw"),
            ("store: {url: \"postgres://u:hunter2@h/d\"}", [:], "'store.url': is read only with store.backend: postgres"),
            ("server: {instance_id: \"a b\"}", [:], "'server.instance_id': must be 1 to 64 letters"),
        ] as [(String, [String: String], String)])
    func mistakes(yaml: String, environment: [String: String], message: String) throws {
        do {
            _ = try load(yaml, environment: environment)
            Issue.record("loaded: \(yaml)")
        } catch let error as ConfigurationError {
            #expect(error.description.hasPrefix(message), "\(error)")
            #expect(!error.description.contains("hunter"))
        }
    }

    @Test("an instance id is the configured one, else the host name and a suffix that differs at each start")
    func instanceId() {
        #expect(InstanceID.resolve("relay-2") == "relay-2")
        let a = InstanceID.resolve("")
        let b = InstanceID.resolve("")
        #expect(a != b && InstanceID.isValid(a) && InstanceID.isValid(b))
    }
}
