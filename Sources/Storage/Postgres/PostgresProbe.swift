import Logging
import PostgresNIO

/// One connection made directly before the client's pool starts. The pool retries a refused
/// connection behind a circuit breaker whose error says only that it tripped; this says what went
/// wrong (the server's own message: a wrong password, no such database; or the socket's error).
enum PostgresProbe {
    static func check(_ location: PostgresLocation, logger: Logger) async throws {
        do {
            let tls: PostgresConnection.Configuration.TLS
            switch location.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            let configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw StoreError.cannotOpen(path: location.description, reason: reason(error))
        }
    }

    /// The server's message and SQLSTATE when it sent one, else the underlying error: never the
    /// configuration, which holds the password.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if error.code == .authMechanismRequiresPassword {
            return "the server asks for a password: give it in store.password_file, ZMES_STORE_PASSWORD or store.url"
        }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
