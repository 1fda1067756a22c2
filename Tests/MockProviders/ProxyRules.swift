import Foundation

/// The zmNinja proxy's checks (docs/OPERATIONS.md, "Credentials" and "token removed") and bookkeeping, serialised in an actor.
///
/// Order: injected fault, path (404), method (405), `authorization` equal to
/// the key (401 `{"Error":"Unauthorized"}`), content-type and body (400
/// `{"Error":...}`). The body must carry token/title/body strings, an integer
/// badge, `data` with string `mid`, `eid`, `notification_foreground` (and only
/// string values), and exactly one of `android` {icon, priority, channel} or
/// `ios` {thread_id, headers}; unknown extra keys are tolerated, as the cloud
/// function ignores them. The function hands the push on to FCM, so a body over
/// 4096 bytes apart from the token is refused (400 `{"Error":"Message is too big"}`).
public actor ProxyRules: MockProviderRules {
    static let path = "/send_push"
    static let messageLimit = 4096

    let key: String
    var faults = FaultPlan()
    var responseDelay: TimeInterval = 0
    public private(set) var requests: [RecordedRequest] = []
    private(set) var accepted: [ProxyPush] = []
    private var sent = 0

    init(key: String) { self.key = key }

    public func handle(_ request: RecordedRequest) -> (MockReply, TimeInterval) {
        requests.append(request)
        return (decide(request), responseDelay)
    }

    private func decide(_ request: RecordedRequest) -> MockReply {
        let json = request.json
        if let fault = faults.next(for: json?["token"]?.stringValue) { return fault.reply() }
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        guard path == Self.path else { return Self.error(404, "Not found") }
        guard request.method == "POST" else { return Self.error(405, "Method not allowed") }
        guard request.headers["authorization"] == key else { return Self.error(401, "Unauthorized") }
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/json") == true else {
            return Self.error(400, "Content-Type must be application/json")
        }
        let platform: ProxyPush.Platform
        switch Self.validate(json) {
        case .failure(let problem): return Self.error(400, problem.text)
        case .success(let value): platform = value
        }
        let payloadSize = request.body.count - (json?["token"]?.stringValue?.utf8.count ?? 0)
        guard payloadSize <= Self.messageLimit else { return Self.error(400, "Message is too big") }
        sent += 1
        let id = "projects/zmninja/messages/\(sent)"
        accepted.append(ProxyPush(
            token: json?["token"]?.stringValue ?? "", platform: platform, json: json ?? .null, body: request.body,
            id: id, connectionID: request.connectionID, receivedAt: request.receivedAt
        ))
        return .json(status: 200, JSONValue.object(["Success": .string(id)]).serialized)
    }

    struct Problem: Error { var text: String }

    static func validate(_ json: JSONValue?) -> Result<ProxyPush.Platform, Problem> {
        func fail(_ text: String) -> Result<ProxyPush.Platform, Problem> { .failure(Problem(text: text)) }
        guard let body = json?.objectValue else { return fail("Body is not a JSON object") }
        guard let token = body["token"]?.stringValue, !token.isEmpty else { return fail("Missing token") }
        for key in ["title", "body"] where body[key]?.stringValue == nil { return fail("\(key) must be a string") }
        for key in ["sound", "log_message_id"] where body[key] != nil && body[key]?.stringValue == nil {
            return fail("\(key) must be a string")
        }
        guard body["badge"]?.intValue != nil else { return fail("badge must be an integer") }
        guard let data = body["data"]?.objectValue else { return fail("data must be an object") }
        if let key = data.first(where: { $0.value.stringValue == nil })?.key { return fail("data.\(key) must be a string") }
        for key in ["mid", "eid", "notification_foreground"] where data[key] == nil { return fail("data.\(key) is required") }

        switch (body["android"], body["ios"]) {
        case (let android?, nil):
            guard let block = android.objectValue else { return fail("android must be an object") }
            for key in ["icon", "priority", "channel"] where block[key]?.stringValue == nil {
                return fail("android.\(key) must be a string")
            }
            return .success(.android)
        case (nil, let ios?):
            guard let block = ios.objectValue else { return fail("ios must be an object") }
            guard block["thread_id"]?.stringValue != nil else { return fail("ios.thread_id must be a string") }
            guard let headers = block["headers"]?.objectValue, headers.values.allSatisfy({ $0.stringValue != nil }) else {
                return fail("ios.headers must be an object of strings")
            }
            return .success(.ios)
        case (nil, nil):
            return fail("One of android or ios is required")
        default:
            return fail("Only one of android or ios may be given")
        }
    }

    static func error(_ status: Int, _ text: String) -> MockReply {
        .json(status: status, JSONValue.object(["Error": .string(text)]).serialized)
    }

    func inject(_ fault: Fault, count: Int, deviceToken: String?) { faults.add(fault, count: count, deviceToken: deviceToken) }
    public func failEverything(_ fault: Fault?) { faults.everything = fault }
    public func setResponseDelay(_ seconds: TimeInterval) { responseDelay = seconds }
    public func clearRecords() {
        requests.removeAll()
        accepted.removeAll()
    }
}
