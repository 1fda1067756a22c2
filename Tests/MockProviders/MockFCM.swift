import Foundation

/// A loopback Google: the OAuth2 token endpoint for a service account it
/// creates, and FCM HTTP v1 `messages:send`, checked and answered as Google does.
/// See `FCMRules` and `FCMMessageValidator` for the exact checks; `failEverything`
/// applies to token exchanges too.
public typealias MockFCM = MockProvider<FCMRules>

extension MockProvider where Rules == FCMRules {
    public convenience init(authority: TestCertificateAuthority, projectID: String) async throws {
        try await self.init(rules: FCMRules(account: try ServiceAccount(projectID: projectID)), authority: authority)
        await rules.setTokenURI(tokenURI)
    }

    /// The send endpoint base, "https://localhost:<port>"; a client posts to `url + "/v1/projects/<id>/messages:send"`.
    public var url: String { "https://localhost:\(port)" }
    /// "https://localhost:<port>/token", also the `token_uri` of `serviceAccountJSON()` and the required JWT `aud`.
    public var tokenURI: String { "https://localhost:\(port)/token" }
    public var projectID: String { rules.account.projectID }
    public var clientEmail: String { rules.account.clientEmail }
    public var privateKeyID: String { rules.account.privateKeyID }

    /// A service-account JSON like Google's (type, project_id, private_key_id, private_key as PKCS#8 PEM
    /// of a fresh RSA-2048 key, client_email, token_uri = tokenURI, ...), whose key the mock trusts.
    public func serviceAccountJSON() -> String { rules.account.json(tokenURI: tokenURI) }

    /// Messages answered 200 (validate_only ones excluded), in arrival order.
    public func accepted() async -> [FCMMessage] { await rules.accepted }
    /// How many OAuth exchanges succeeded.
    public func accessTokensIssued() async -> Int { await rules.accessTokensIssued }
    /// `expires_in` of tokens issued from now on (default 3600); expiry is enforced on send.
    public func setAccessTokenLifetime(_ seconds: Int) async { await rules.setAccessTokenLifetime(seconds) }
    /// Issued tokens now get 401 UNAUTHENTICATED (a client should refresh once and retry).
    public func revokeAccessTokens() async { await rules.revokeAccessTokens() }

    /// The next `count` sends (to `deviceToken`, or any) get `fault` before any check runs.
    /// Token-endpoint requests are not affected: use `injectTokenEndpoint`.
    public func inject(_ fault: Fault, count: Int = 1, deviceToken: String? = nil) async {
        await rules.injectSend(fault, count: count, deviceToken: deviceToken)
    }

    /// The next `count` OAuth exchanges get `fault`.
    public func injectTokenEndpoint(_ fault: Fault, count: Int = 1) async {
        await rules.injectTokenEndpoint(fault, count: count)
    }

    /// Injects an FCM v1 error in Google's shape: `status` is the HTTP status, `code` the FcmError
    /// `errorCode` (UNREGISTERED, QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, SENDER_ID_MISMATCH,
    /// THIRD_PARTY_AUTH_ERROR, INVALID_ARGUMENT); the canonical `status` text follows from `code`.
    public func injectFCMError(
        status: Int, code: String, retryAfter: Int? = nil, count: Int = 1, deviceToken: String? = nil
    ) async {
        let described = FCMErrors.describe(code: code, httpStatus: status)
        var headers = ["content-type": "application/json; charset=UTF-8"]
        if let retryAfter { headers["retry-after"] = String(retryAfter) }
        let body = FCMErrors.body(httpStatus: status, status: described.status, message: described.message, errorCode: code)
        await inject(.respond(status: status, headers: headers, body: body), count: count, deviceToken: deviceToken)
    }

    /// Moves the mock's clock forward (access-token expiry, JWT iat/exp checks).
    public func advanceClock(by seconds: TimeInterval) async { await rules.advanceClock(by: seconds) }
}
