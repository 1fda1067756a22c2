import CurlClient
import Foundation
import Model

/// Sends pushes through the zmNinja cloud function, for the public zmNinja app's tokens.
public struct ProxySender: PushSender {
    let credential: ProxyCredential
    let client: CurlClient

    public init(credential: ProxyCredential, client: CurlClient) {
        self.credential = credential
        self.client = client
    }

    public func send(_ message: PushMessage) async -> PushOutcome {
        let request = CurlRequest(
            url: credential.url,
            headers: [("content-type", "application/json"), ("authorization", credential.key)],
            body: Self.body(message),
            caFile: credential.caFile.isEmpty ? nil : credential.caFile)
        do {
            return ProxyReply.classify(try await client.send(request))
        } catch {
            return .retry(reason: "\(error)", after: nil)
        }
    }

    /// The cloud function hands the push on to FCM, which refuses more than 4096 bytes: the
    /// body apart from the token is kept within it.
    static let limit = 4096

    /// Keys in sorted order, so equal pushes are equal bytes.
    static func body(_ message: PushMessage) -> [UInt8] {
        PayloadFit.fit(title: message.title, body: message.body, limit: limit, allowance: message.token.utf8.count) { title, body in
            render(message, title: title, body: body)
        }
    }

    private static func render(_ message: PushMessage, title: String, body: String) -> [UInt8] {
        var json = JSONBytes(capacity: 512 + title.utf8.count + body.utf8.count)
        json.beginObject()
        if message.platform == .android {
            json.object(
                "android", strings: [("channel", "zmninja"), ("icon", "ic_stat_notification"), ("priority", "high"), ("tag", message.collapseID)])
        }
        json.member("badge", message.badge)
        json.member("body", body)
        json.object("data", strings: message.customData)
        if message.platform == .ios {
            json.object("ios") { ios in
                ios.object("headers", strings: APNsAlert.headers(collapseID: message.collapseID))
                ios.member("thread_id", APNsAlert.threadID)
            }
        }
        json.member("log_message_id", "NONE")
        json.member("sound", "default")
        json.member("title", title)
        json.member("token", message.token)
        json.endObject()
        return json.bytes
    }
}

/// The proxy gives no structured error code; docs/OPERATIONS.md ("token removed") names the texts that mean the token is gone.
enum ProxyReply {
    static func classify(_ response: CurlResponse) -> PushOutcome {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        if response.status == 200, object?["Success"] != nil { return .delivered }
        let text = object?["Error"] as? String ?? "HTTP \(response.status)"
        let lowered = text.lowercased()
        if lowered.contains("not a valid fcm registration token") || lowered.contains("entity was not found") {
            return .tokenGone(reason: text, at: nil)
        }
        switch response.status {
        case 200: return .failed(reason: "unexpected reply: \(response.bodyText.prefix(200))")
        case 401, 403: return .credentialRejected(reason: text)
        case 429, 500...599: return .retry(reason: text, after: response.headers["retry-after"].flatMap(Int.init).map { .seconds($0) })
        default: return .failed(reason: text)
        }
    }
}
