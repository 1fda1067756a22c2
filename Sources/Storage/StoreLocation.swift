import Foundation

/// Where the store is: one SQLite file, or a PostgreSQL database that several instances share
/// (`store.backend`, `store.path`, `store.url`; docs/CONFIGURATION.md).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// For logs and `zmes check-config`: never the password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let location): return location.description
        }
    }
}

/// A PostgreSQL database as `store.url` names it: `postgres://user[:password]@host[:port]/database`,
/// with `?sslmode=disable|prefer|require` (default `prefer`: TLS when the server offers it).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    /// From the URL, `store.password_file` or `ZMES_STORE_PASSWORD`; `nil` for trust or peer authentication.
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Reads a `postgres://` (or `postgresql://`) URL.
    /// - Throws: a reason fit to follow the key's name in an error message; it never repeats the password.
    public init(url text: String) throws(InvalidURL) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else { throw InvalidURL("must be a URL postgres://USER@HOST:PORT/DATABASE") }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL("names no host (postgres://USER@HOST:PORT/DATABASE)") }
        guard let user = components.user, !user.isEmpty else { throw InvalidURL("names no user (postgres://USER@HOST:PORT/DATABASE)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw InvalidURL("names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw InvalidURL("has an unknown parameter '\(item.name)' (only sslmode is read)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw InvalidURL("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = mode
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw InvalidURL("port must be 1 to 65535") }
        self.init(
            host: host, port: port, user: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database.removingPercentEncoding ?? database,
            tls: tls)
    }

    /// The URL without its password.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (tls == .prefer ? "" : "?sslmode=\(tls.rawValue)")
    }

    public struct InvalidURL: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
