import Foundation
import PostgresNIO

extension PostgresStore {
    /// Made at most once however many instances ask together: the insert that loses the race on
    /// the primary key does nothing, and every instance then reads the one that won.
    public func secret(named name: String, makeWith make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8] {
        if let row = try await rows("SELECT value FROM secrets WHERE name = \(name)").first {
            return [UInt8](try row.decode(Data.self))
        }
        try await rows("INSERT INTO secrets (name, value) VALUES (\(name), \(Data(make()))) ON CONFLICT (name) DO NOTHING")
        return [UInt8](try await rows("SELECT value FROM secrets WHERE name = \(name)")[0].decode(Data.self))
    }
}

extension PostgresStore {
    public func secrets() async throws -> [String: [UInt8]] {
        var secrets: [String: [UInt8]] = [:]
        for row in try await rows("SELECT name, value FROM secrets") {
            let (name, value) = try row.decode((String, Data).self)
            secrets[name] = [UInt8](value)
        }
        return secrets
    }
}
