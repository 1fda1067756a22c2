import Foundation
import Storage

extension ConfigurationLoader {
    /// `store:`: the backend, and for PostgreSQL the URL with its password from exactly one of the
    /// URL, `store.password` (`ZMES_STORE_PASSWORD`) and `store.password_file`. No message repeats
    /// the URL or the password: a mistake names the key and what is wrong.
    static func store(_ reader: Reader) throws(ConfigurationError) -> Configuration.Store {
        var store = Configuration.Store()
        let backend = try reader.string("store.backend", default: store.backend.rawValue)
        guard let parsed = Configuration.Store.Backend(rawValue: backend) else {
            throw .invalidValue(
                key: "store.backend",
                reason: "must be \(Configuration.Store.Backend.allCases.map(\.rawValue).joined(separator: " or ")), found '\(backend)'")
        }
        store.backend = parsed
        store.path = try reader.string("store.path", default: store.path)
        if store.path.isEmpty { throw .invalidValue(key: "store.path", reason: "must not be empty") }
        store.url = try reader.string("store.url", default: store.url)
        store.password = try reader.string("store.password", default: store.password)
        store.passwordFile = try reader.string("store.password_file", default: store.passwordFile)
        guard store.backend == .postgres else {
            for (key, value) in [("store.url", store.url), ("store.password", store.password), ("store.password_file", store.passwordFile)]
            where !value.isEmpty {
                throw .invalidValue(key: key, reason: "is read only with store.backend: postgres (the store is SQLite, at store.path)")
            }
            return store
        }
        guard !store.url.isEmpty else {
            throw .invalidValue(key: "store.url", reason: "must be set with store.backend: postgres, e.g. postgres://zmes@db.example:5432/zmes")
        }
        store.postgres = try postgresLocation(url: store.url, password: store.password, passwordFile: store.passwordFile)
        return store
    }

    /// A `postgres://` URL with its password from exactly one of the URL, `password` and the file
    /// `passwordFile` (empty strings for none). `keys` name the three in messages: the `store:` keys,
    /// or a command's options (`zmes store copy`). No message repeats the URL or the password.
    public static func postgresLocation(
        url: String, password: String, passwordFile: String,
        keys: (url: String, password: String, passwordFile: String) = ("store.url", "store.password", "store.password_file")
    ) throws(ConfigurationError) -> PostgresLocation {
        var location: PostgresLocation
        do throws(PostgresLocation.InvalidURL) {
            location = try PostgresLocation(url: url)
        } catch {
            throw .invalidValue(key: keys.url, reason: error.description)
        }
        let given = [location.password != nil, !password.isEmpty, !passwordFile.isEmpty].filter { $0 }.count
        guard given <= 1 else {
            let environment = keys.password == "ZMES_STORE_PASSWORD" ? keys.password : "\(keys.password) or ZMES_STORE_PASSWORD"
            throw .invalidValue(
                key: passwordFile.isEmpty ? keys.password : keys.passwordFile,
                reason: "the PostgreSQL password is given more than once (\(keys.url), \(environment), \(keys.passwordFile)): give it once")
        }
        if !password.isEmpty { location.password = password }
        if !passwordFile.isEmpty { location.password = try passwordFromFile(passwordFile, key: keys.passwordFile) }
        return location
    }

    /// The file's first line: a file written with `echo` ends in a newline that is not part of the password.
    private static func passwordFromFile(_ path: String, key: String) throws(ConfigurationError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .invalidValue(key: key, reason: "cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let password = String(text.prefix { $0 != "\n" && $0 != "\r" })
        guard !password.isEmpty else { throw .invalidValue(key: key, reason: "\(path) is empty") }
        return password
    }
}
