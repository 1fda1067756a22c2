import Foundation

/// Why the ZoneMinder API did not give what was asked.
public enum ZoneMinderAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    case badCredentials
    /// ZoneMinder could not be reached or timed out.
    case unreachable(String)
    case unexpected(status: Int, detail: String)

    public var description: String {
        switch self {
        case .badCredentials: return "ZoneMinder refused the login"
        case .unreachable(let reason): return "ZoneMinder API unreachable: \(reason)"
        case .unexpected(let status, let detail): return "ZoneMinder API answered HTTP \(status): \(detail)"
        }
    }
}

/// A logged-in API session: the access token ZoneMinder issued.
public struct ZoneMinderSession: Sendable, Equatable {
    public var accessToken: String
    public var expiresAt: Date
}

public struct ZoneMinderMonitor: Sendable, Equatable {
    public var id: Int
    public var name: String

    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}

/// The parts of ZoneMinder's REST API zmes uses: login, and the monitors a user may see.
public struct ZoneMinderAPI: Sendable {
    public let baseURL: String
    let transport: any ZoneMinderTransport

    /// - Parameter baseURL: e.g. `http://127.0.0.1/zm` (the API is under `/api`).
    public init(baseURL: String, transport: any ZoneMinderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    /// `POST /api/host/login.json` with `user` and `pass`.
    public func login(user: String, password: String, now: Date = Date()) async throws(ZoneMinderAPIError) -> ZoneMinderSession {
        let form = "user=\(Self.formEncode(user))&pass=\(Self.formEncode(password))"
        let (status, body) = try await send(
            "POST", "\(baseURL)/api/host/login.json", headers: [("content-type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
        switch status {
        case 200:
            let reply = ZoneMinderReplies.Login.decode(body)
            guard let token = reply?.accessToken, !token.isEmpty else {
                throw .unexpected(status: status, detail: "no access_token in the login reply (is OPT_USE_AUTH on?)")
            }
            let lifetime = reply?.accessTokenExpires ?? 3600
            return ZoneMinderSession(accessToken: token, expiresAt: now.addingTimeInterval(lifetime))
        case 401, 403:
            throw .badCredentials
        default:
            throw .unexpected(status: status, detail: String(decoding: body.prefix(200), as: UTF8.self))
        }
    }

    /// `GET /api/monitors.json`: the monitors this session's user may see (all of them without auth).
    public func monitors(session: ZoneMinderSession?) async throws(ZoneMinderAPIError) -> [ZoneMinderMonitor] {
        var url = "\(baseURL)/api/monitors.json"
        if let session { url += "?token=\(Self.formEncode(session.accessToken))" }
        let (status, body) = try await send("GET", url, headers: [], body: [])
        guard status == 200 else {
            if status == 401 || status == 403 { throw .badCredentials }
            throw .unexpected(status: status, detail: String(decoding: body.prefix(200), as: UTF8.self))
        }
        guard let reply = try? JSONDecoder().decode(ZoneMinderReplies.Monitors.self, from: Data(body)) else {
            throw .unexpected(status: status, detail: "not a monitors.json reply")
        }
        return reply.monitors.compactMap { entry in
            guard let fields = entry.monitor, let id = fields.id?.integer else { return nil }
            return ZoneMinderMonitor(id: id, name: fields.name ?? "Monitor \(id)")
        }
    }

    func send(_ method: String, _ url: String, headers: [(name: String, value: String)], body: [UInt8]) async throws(ZoneMinderAPIError) -> (Int, [UInt8]) {
        do {
            let response = try await transport.send(method: method, url: url, headers: headers, body: body)
            return (response.status, response.body)
        } catch {
            throw .unreachable("\(error)")
        }
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
