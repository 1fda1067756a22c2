import Crypto
import Foundation

/// Apple's request checks and bookkeeping for one MockAPNs, serialised in an actor.
///
/// Order of checks (first failure wins): injected fault, method (405), path
/// (404 BadPath), provider token (403 Missing/Invalid/ExpiredProviderToken,
/// 429 TooManyProviderTokenUpdates), device token (400 BadDeviceToken),
/// duplicate apns-* headers, topic, push type, priority, expiration, collapse
/// id, apns-id, then the payload (PayloadEmpty, 413 PayloadTooLarge, and
/// "BadPayload" — not an Apple reason, our choice — for malformed JSON or a
/// missing `aps` dictionary).
public actor APNsRules: MockProviderRules {
    static let pushTypes: Set<String> = [
        "alert", "background", "location", "voip", "complication", "fileprovider",
        "mdm", "liveactivity", "pushtotalk", "widgets", "controls",
    ]
    /// Push types whose topic is the bundle id plus a suffix.
    static let topicSuffixes: [String: String] = [
        "voip": ".voip", "complication": ".complication", "fileprovider": ".pushkit.fileprovider",
        "liveactivity": ".push-type.liveactivity", "pushtotalk": ".voip-ptt",
    ]

    let teamID: String
    let keyID: String
    let publicKey: P256.Signing.PublicKey
    let topic: String

    var clock = MockClock()
    var faults = FaultPlan()
    /// How long after a new provider token another new one is refused (Apple: 20 minutes).
    var minimumTokenRefreshInterval: TimeInterval = 20 * 60
    var responseDelay: TimeInterval = 0

    public private(set) var requests: [RecordedRequest] = []
    private(set) var accepted: [APNsPush] = []
    var acceptedCount: Int { accepted.count }
    /// Every distinct bearer value seen, valid or not.
    private(set) var seenTokens: Set<String> = []
    /// Tokens that passed verification (signature cached: ES256 verification is the costly part).
    private var verifiedTokens: Set<String> = []
    /// Tokens APNs has taken as this key's token; they stay usable until their iat is an hour old.
    private var adoptedTokens: Set<String> = []
    private var lastAdoption: Date?
    /// Set after an ExpiredProviderToken answer: the client is then entitled to a new token at once.
    private var renewalInvited = false

    init(teamID: String, keyID: String, publicKey: P256.Signing.PublicKey, topic: String) {
        self.teamID = teamID
        self.keyID = keyID
        self.publicKey = publicKey
        self.topic = topic
    }

    public func handle(_ request: RecordedRequest) -> (MockReply, TimeInterval) {
        requests.append(request)
        return (decide(request), responseDelay)
    }

    private func decide(_ request: RecordedRequest) -> MockReply {
        let pathToken = request.path.hasPrefix("/3/device/") ? String(request.path.dropFirst("/3/device/".count)) : nil
        let requestedID = request.headers["apns-id"].flatMap { Self.isCanonicalUUID($0) ? $0 : nil }
        let apnsID = requestedID ?? UUID().uuidString.lowercased()

        if let fault = faults.next(for: pathToken) {
            if case .respond(_, _, let body) = fault, body.contains("ExpiredProviderToken") { renewalInvited = true }
            return fault.reply(extraHeaders: [("apns-id", apnsID)])
        }
        func refuse(_ status: Int, _ reason: String) -> MockReply {
            APNsRules.errorReply(status: status, reason: reason, apnsID: apnsID)
        }

        guard request.method == "POST" else { return refuse(405, "MethodNotAllowed") }
        guard let deviceToken = pathToken, !deviceToken.isEmpty, !deviceToken.contains("/") else {
            return refuse(404, "BadPath")
        }
        if let (status, reason) = checkProviderToken(request.headers["authorization"]) {
            return refuse(status, reason)
        }
        guard deviceToken.count >= 64, deviceToken.allSatisfy(\.isHexDigit) else { return refuse(400, "BadDeviceToken") }

        var names = Set<String>()
        for field in request.headerFields where field.name.hasPrefix("apns-") || field.name == "authorization" {
            if !names.insert(field.name).inserted { return refuse(400, "DuplicateHeaders") }
        }

        let pushType = request.headers["apns-push-type"]
        guard let requestTopic = request.headers["apns-topic"] else { return refuse(400, "MissingTopic") }
        guard let pushType, Self.pushTypes.contains(pushType) else { return refuse(400, "InvalidPushType") }
        guard requestTopic == topic + (Self.topicSuffixes[pushType] ?? "") else {
            return refuse(400, "DeviceTokenNotForTopic")
        }
        if let priority = request.headers["apns-priority"], priority != "5", priority != "10" {
            return refuse(400, "BadPriority")
        }
        if let expiration = request.headers["apns-expiration"],
           expiration.isEmpty || !expiration.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return refuse(400, "BadExpirationDate")
        }
        if let collapseID = request.headers["apns-collapse-id"], collapseID.utf8.count > 64 {
            return refuse(400, "BadCollapseId")
        }
        if request.headers["apns-id"] != nil, requestedID == nil { return refuse(400, "BadMessageId") }

        let limit = pushType == "voip" ? 5120 : 4096
        guard !request.body.isEmpty else { return refuse(400, "PayloadEmpty") }
        guard request.body.count <= limit else { return refuse(413, "PayloadTooLarge") }
        guard request.json?["aps"]?.objectValue != nil else { return refuse(400, "BadPayload") }

        accepted.append(APNsPush(
            deviceToken: deviceToken, headers: request.headers, payloadBytes: request.body,
            apnsID: apnsID, providerToken: Self.bearer(request.headers["authorization"]) ?? "",
            connectionID: request.connectionID, receivedAt: request.receivedAt
        ))
        return .response(status: 200, headers: [("apns-id", apnsID)], body: [])
    }

    /// nil when the token is good; otherwise Apple's status and reason.
    private func checkProviderToken(_ authorization: String?) -> (Int, String)? {
        guard let authorization else { return (403, "MissingProviderToken") }
        guard let token = Self.bearer(authorization) else { return (403, "InvalidProviderToken") }
        seenTokens.insert(token)
        guard let jwt = CompactJWT(token) else { return (403, "InvalidProviderToken") }
        guard jwt.header["alg"]?.stringValue == "ES256",
              jwt.header["kid"]?.stringValue == keyID,
              jwt.claims["iss"]?.stringValue == teamID,
              let iat = jwt.claims["iat"]?.intValue
        else { return (403, "InvalidProviderToken") }
        if !verifiedTokens.contains(token) {
            guard JWTVerifier.verifyES256(jwt, key: publicKey) else { return (403, "InvalidProviderToken") }
            verifiedTokens.insert(token)
        }
        let now = clock.now
        let age = now.timeIntervalSince1970 - Double(iat)
        if age > 3600 {
            renewalInvited = true
            return (403, "ExpiredProviderToken")
        }
        if age < -60 { return (403, "InvalidProviderToken") }
        if !adoptedTokens.contains(token) {
            if let last = lastAdoption, now.timeIntervalSince(last) < minimumTokenRefreshInterval, !renewalInvited {
                return (429, "TooManyProviderTokenUpdates")
            }
            adoptedTokens.insert(token)
            lastAdoption = now
            renewalInvited = false
        }
        return nil
    }

    // MARK: - Test controls

    func inject(_ fault: Fault, count: Int, deviceToken: String?) { faults.add(fault, count: count, deviceToken: deviceToken) }
    public func failEverything(_ fault: Fault?) { faults.everything = fault }
    func advanceClock(by seconds: TimeInterval) { clock.offset += seconds }
    func setMinimumTokenRefreshInterval(_ seconds: TimeInterval) { minimumTokenRefreshInterval = seconds }
    public func setResponseDelay(_ seconds: TimeInterval) { responseDelay = seconds }
    public func clearRecords() {
        requests.removeAll()
        accepted.removeAll()
    }

    // MARK: - Helpers

    static func errorReply(status: Int, reason: String, apnsID: String, timestamp: Date? = nil, extra: [(String, String)] = []) -> MockReply {
        .json(status: status, headers: [("apns-id", apnsID)] + extra, errorBody(reason: reason, timestamp: timestamp))
    }

    static func errorBody(reason: String, timestamp: Date?) -> String {
        var object: [String: JSONValue] = ["reason": .string(reason)]
        if let timestamp { object["timestamp"] = .number((timestamp.timeIntervalSince1970 * 1000).rounded(.down)) }
        return JSONValue.object(object).serialized
    }

    static func bearer(_ authorization: String?) -> String? {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return nil }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Lower-case canonical 8-4-4-4-12 UUID.
    static func isCanonicalUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) } }
    }
}
