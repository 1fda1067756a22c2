import Foundation

/// A loopback zmNinja push proxy (the cloud function the public zmNinja app's
/// pushes go through), checking the key and body as ProxySender writes them.
/// See `ProxyRules` for the exact checks.
public typealias MockProxy = MockProvider<ProxyRules>

/// How a gone token is reported: the proxy relays FCM's text, which comes in two forms.
public enum ProxyTokenGoneStyle: Sendable {
    /// "Requested entity was not found."
    case notFound
    /// "The registration token is not a valid FCM registration token"
    case notAValidToken

    var text: String {
        switch self {
        case .notFound: "Requested entity was not found."
        case .notAValidToken: "The registration token is not a valid FCM registration token"
        }
    }
}

extension MockProvider where Rules == ProxyRules {
    public typealias TokenGoneStyle = ProxyTokenGoneStyle

    public convenience init(authority: TestCertificateAuthority, key: String) async throws {
        try await self.init(rules: ProxyRules(key: key), authority: authority)
    }

    /// "https://localhost:<port>/send_push"
    public var url: String { "https://localhost:\(port)\(ProxyRules.path)" }

    /// Pushes answered 200, in arrival order.
    public func accepted() async -> [ProxyPush] { await rules.accepted }

    /// The next `count` requests (for `deviceToken`, or any) get `fault` before any check runs.
    public func inject(_ fault: Fault, count: Int = 1, deviceToken: String? = nil) async {
        await rules.inject(fault, count: count, deviceToken: deviceToken)
    }

    /// The next `count` requests get 400 `{"Error":"Requested entity was not found."}` (or the
    /// "not a valid FCM registration token" text): the token is gone.
    public func injectTokenGone(count: Int = 1, deviceToken: String? = nil, style: TokenGoneStyle = .notFound) async {
        let body = JSONValue.object(["Error": .string(style.text)]).serialized
        await inject(.respond(status: 400, headers: ["content-type": "application/json; charset=utf-8"], body: body),
                     count: count, deviceToken: deviceToken)
    }
}
