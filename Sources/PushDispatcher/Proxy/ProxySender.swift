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
            return ProxyReply(try await client.send(request)).outcome
        } catch {
            return .connectionLost(reason: "\(error)")
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
        if let picture = message.pictureURL { json.member("image_url", picture) }
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
