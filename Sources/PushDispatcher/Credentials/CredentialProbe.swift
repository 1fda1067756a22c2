import CurlClient
import Foundation
import Model
import Storage

/// One real call per provider that proves a credential is accepted without sending a notification.
public enum CredentialProbe {
    public enum Verdict: Sendable, Equatable {
        case accepted
        case rejected(String)
        case unreachable(String)
    }

    public static func run(_ credential: ProviderCredential, client: CurlClient, store: (any Store)?) async -> Verdict {
        let message = PushMessage(
            jobID: 0, token: String(repeating: "0", count: 64), platform: .ios, badge: 0,
            alarm: Alarm(monitorId: 0, monitorName: "zmes probe", eventId: 0, cause: "probe"),
            title: "zmes probe", body: "probe", expiresAt: Date().addingTimeInterval(60))
        let outcome: PushOutcome
        switch credential {
        case .apns(let apns):
            // A dummy token: Apple checks the provider token first, then says BadDeviceToken.
            guard let sender = try? APNsSender(credential: apns, client: client, store: store) else { return .rejected("the key does not parse") }
            outcome = await sender.send(message)
        case .fcm(let fcm):
            guard let sender = try? FCMSender(credential: fcm, client: client) else { return .rejected("the key does not parse") }
            outcome = await sender.validateOnly(message)
        case .proxy(let proxy):
            outcome = await ProxySender(credential: proxy, client: client).send(message)
        }
        switch outcome {
        case .delivered, .failed, .tokenGone, .badToken: return .accepted  // the credential passed; the dummy token did not
        case .credentialRejected(let reason): return .rejected(reason)
        case .retry(let reason, _), .connectionLost(let reason): return .unreachable(reason)
        }
    }
}
