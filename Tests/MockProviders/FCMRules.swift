import Foundation

/// Google's checks and bookkeeping for one MockFCM: the OAuth token endpoint
/// (`POST /token`) and FCM HTTP v1 `messages:send`, serialised in an actor.
///
/// Send order (first failure wins): injected fault, route (404), method (405),
/// access token (401 UNAUTHENTICATED), project (403 PERMISSION_DENIED),
/// content-type and body (400 INVALID_ARGUMENT), then size: FCM refuses a message over
/// 4096 bytes; the mock counts the whole request body apart from the token (stricter
/// than Google, which counts what reaches the phone).
/// Token-endpoint order: fault (only `injectTokenEndpoint` faults and
/// `failEverything`), method, content-type, grant_type (400
/// unsupported_grant_type), then the assertion (400 invalid_grant, or
/// invalid_scope for a missing firebase.messaging scope, as Google answers).
public actor FCMRules: MockProviderRules {
    static let messageLimit = 4096
    static let messagingScope = "https://www.googleapis.com/auth/firebase.messaging"
    static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    let account: ServiceAccount
    var tokenURI = ""
    var clock = MockClock()
    var sendFaults = FaultPlan()
    var tokenFaults = FaultPlan()
    var accessTokenLifetime = 3600
    var responseDelay: TimeInterval = 0

    public private(set) var requests: [RecordedRequest] = []
    private(set) var accepted: [FCMMessage] = []
    private(set) var accessTokensIssued = 0
    /// Issued access tokens and when each expires (mock clock).
    private var accessTokens: [String: Date] = [:]
    private var sent = 0

    init(account: ServiceAccount) { self.account = account }

    func setTokenURI(_ uri: String) { tokenURI = uri }

    public func handle(_ request: RecordedRequest) -> (MockReply, TimeInterval) {
        requests.append(request)
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let reply = path == "/token" ? exchange(request) : send(request, path: path)
        return (reply, responseDelay)
    }

    // MARK: - OAuth token endpoint

    private func exchange(_ request: RecordedRequest) -> MockReply {
        if let fault = sendFaults.everything ?? tokenFaults.next(for: nil) { return fault.reply() }
        guard request.method == "POST" else { return FCMErrors.oauth("invalid_request", "Method not allowed", status: 405) }
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return FCMErrors.oauth("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        }
        let form = Self.parseForm(request.bodyString)
        guard form["grant_type"] == Self.jwtBearerGrant else {
            return FCMErrors.oauth("unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")")
        }
        guard let assertion = form["assertion"], !assertion.isEmpty else {
            return FCMErrors.oauth("invalid_request", "Missing required parameter: assertion")
        }
        guard let jwt = CompactJWT(assertion) else { return FCMErrors.oauth("invalid_grant", "Invalid JWT: malformed") }
        guard jwt.header["alg"]?.stringValue == "RS256" else {
            return FCMErrors.oauth("invalid_grant", "Invalid JWT: alg must be RS256")
        }
        guard jwt.header["kid"]?.stringValue == account.privateKeyID else {
            return FCMErrors.oauth("invalid_grant", "Invalid JWT Signature.")
        }
        guard jwt.claims["iss"]?.stringValue == account.clientEmail else {
            return FCMErrors.oauth("invalid_grant", "Invalid grant: account not found")
        }
        guard jwt.claims["aud"]?.stringValue == tokenURI else {
            return FCMErrors.oauth("invalid_grant", "Invalid JWT: Failed audience check.")
        }
        let scopes = jwt.claims["scope"]?.stringValue?.split(separator: " ").map(String.init) ?? []
        guard scopes.contains(Self.messagingScope) else {
            return FCMErrors.oauth("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        }
        let now = clock.now.timeIntervalSince1970
        guard let iat = jwt.claims["iat"]?.doubleValue, let exp = jwt.claims["exp"]?.doubleValue,
              exp > iat, exp - iat <= 3600, exp > now, iat <= now + 60
        else {
            return FCMErrors.oauth("invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        }
        guard JWTVerifier.verifyRS256(jwt, key: account.publicKey) else {
            return FCMErrors.oauth("invalid_grant", "Invalid JWT Signature.")
        }
        let token = "ya29.mock-" + RandomText.hex(bytes: 24)
        accessTokens[token] = clock.now.addingTimeInterval(TimeInterval(accessTokenLifetime))
        accessTokensIssued += 1
        let body: JSONValue = .object([
            "access_token": .string(token),
            "expires_in": .number(Double(accessTokenLifetime)),
            "token_type": .string("Bearer"),
        ])
        return .json(status: 200, body.serialized)
    }

    // MARK: - messages:send

    private func send(_ request: RecordedRequest, path: String) -> MockReply {
        let body = request.json
        let deviceToken = body?["message"]?["token"]?.stringValue
        if let fault = sendFaults.next(for: deviceToken) { return fault.reply() }

        let prefix = "/v1/projects/", suffix = "/messages:send"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.count > prefix.count + suffix.count else {
            return .json(status: 404, FCMErrors.body(httpStatus: 404, status: "NOT_FOUND",
                message: "The requested URL \(path) was not found on this server.", errorCode: nil))
        }
        let project = String(path.dropFirst(prefix.count).dropLast(suffix.count))
        guard request.method == "POST" else {
            return .json(status: 405, FCMErrors.body(httpStatus: 405, status: "INVALID_ARGUMENT",
                message: "Method \(request.method) not allowed.", errorCode: nil))
        }
        guard let token = APNsRules.bearer(request.headers["authorization"]),
              let expiry = accessTokens[token], expiry > clock.now
        else { return FCMErrors.unauthenticated }
        guard project == account.projectID else {
            return .json(status: 403, FCMErrors.body(httpStatus: 403, status: "PERMISSION_DENIED",
                message: "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/\(project)' (or it may not exist).",
                errorCode: nil))
        }
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/json") == true else {
            return FCMErrors.invalidArgument("Invalid JSON payload received. Expected Content-Type application/json.")
        }
        switch FCMMessageValidator.validate(body) {
        case .failure(let failure):
            return FCMErrors.invalidArgument(failure.message)
        case .success(let (message, validateOnly)):
            let payloadSize = request.body.count - (message["token"]?.stringValue?.utf8.count ?? 0)
            guard payloadSize <= Self.messageLimit else {
                return FCMErrors.invalidArgument("Message is too big: \(payloadSize) bytes, the limit is \(Self.messageLimit).")
            }
            if validateOnly {
                return .json(status: 200, JSONValue.object(["name": .string("projects/\(project)/messages/fake_message_id")]).serialized)
            }
            sent += 1
            let name = "projects/\(project)/messages/\(sent)"
            accepted.append(FCMMessage(
                token: message["token"]?.stringValue, message: message,
                messageBytes: Array(message.serialized.utf8), name: name, accessToken: token,
                headers: request.headers, connectionID: request.connectionID, receivedAt: request.receivedAt
            ))
            return .json(status: 200, JSONValue.object(["name": .string(name)]).serialized)
        }
    }

    // MARK: - Test controls

    func injectSend(_ fault: Fault, count: Int, deviceToken: String?) { sendFaults.add(fault, count: count, deviceToken: deviceToken) }
    func injectTokenEndpoint(_ fault: Fault, count: Int) { tokenFaults.add(fault, count: count, deviceToken: nil) }
    public func failEverything(_ fault: Fault?) { sendFaults.everything = fault }
    func setAccessTokenLifetime(_ seconds: Int) { accessTokenLifetime = seconds }
    func revokeAccessTokens() { accessTokens.removeAll() }
    func advanceClock(by seconds: TimeInterval) { clock.offset += seconds }
    public func setResponseDelay(_ seconds: TimeInterval) { responseDelay = seconds }
    public func clearRecords() {
        requests.removeAll()
        accepted.removeAll()
    }

    static func parseForm(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }
}
