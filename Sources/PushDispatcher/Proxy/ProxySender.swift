import Foundation
import Model

/// Sends pushes through the zmNinja cloud function, for the public zmNinja app's tokens.
public struct ProxySender: PushSender {
    let credential: ProxyCredential
    let client: HTTP2Client

    public init(credential: ProxyCredential, client: HTTP2Client) {
        self.credential = credential
        self.client = client
    }

    public func send(_ message: PushMessage) async -> PushOutcome {
        let request = HTTPRequest(
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

    static func body(_ message: PushMessage) -> [UInt8] {
        var body: [String: Any] = [
            "token": message.token,
            "title": message.title,
            "body": message.body,
            "sound": "default",
            "badge": message.badge,
            "log_message_id": "NONE",
            "data": message.customData,
        ]
        switch message.platform {
        case .ios:
            body["ios"] = ["thread_id": "zmninja_alarm", "headers": ["apns-priority": "10", "apns-push-type": "alert"]]
        case .android:
            body["android"] = ["icon": "ic_stat_notification", "priority": "high", "channel": "zmninja"]
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return [UInt8](data)
    }
}

/// The proxy gives no structured error code; PUSH.md names the texts that mean the token is gone.
enum ProxyReply {
    static func classify(_ response: HTTPResponse) -> PushOutcome {
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
