import Crypto
import Foundation
import Hummingbird
import Model

/// Refuses admin requests without `Authorization: Bearer <admin.token>`.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// SHA-256 of the expected header: comparing digests takes the same time whatever the guess.
    let expected: SHA256.Digest

    init(token: String) {
        expected = SHA256.hash(data: Data("Bearer \(token)".utf8))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = SHA256.hash(data: Data((request.headers[.authorization] ?? "").utf8))
        guard constantTimeEqual(given, expected) else {
            return jsonResponse(.unauthorized, ["error": "missing or wrong bearer token"])
        }
        return try await next(request, context)
    }
}

/// Without `admin.token`, anything that can reach the loopback port is trusted: a web page in the
/// operator's browser included. Browsers name the site they think they talk to in `Host` (a DNS-rebinding
/// page says its own name) and cannot send `application/json` across sites without asking first,
/// so requests for any other host, and bodies of any other type, are refused.
struct LoopbackOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let host = request.head.authority, Self.isLoopbackHost(host) else {
            return jsonResponse(
                .forbidden,
                ["error": "without admin.token the admin API answers only requests for localhost, 127.0.0.1 or [::1] (Host header)"])
        }
        if [HTTPRequest.Method.post, .put, .patch].contains(request.method) {
            let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/json" else {
                return jsonResponse(.unsupportedMediaType, ["error": "the body must be sent as Content-Type: application/json"])
            }
        }
        return try await next(request, context)
    }

    /// `localhost`, `127.x.y.z` or `[::1]`, each with an optional `:port`.
    static func isLoopbackHost(_ authority: String) -> Bool {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return false }
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        if let colon = host.firstIndex(of: ":") {
            guard isPort(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        if host == "localhost" || host == "localhost." { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { part in UInt8(part) != nil }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy(\.isASCII) && UInt16(text) != nil
    }
}
