import Foundation

/// What one attempt at a push came to, decided from the provider's structured reply.
///
/// A `reason` is text because the outbox stores it and `zmes push list` shows it: the provider's
/// own code as sent (`APNsReason.rawValue`, `FCMErrorCode.rawValue`, the proxy's `Error`), or
/// what went wrong before any reply (a transport error, a credential that cannot sign).
public enum PushOutcome: Sendable, Equatable {
    case delivered
    /// Try again later; `after` is the provider's `Retry-After` (or a floor it implies).
    case retry(reason: String, after: Duration?)
    /// No answer came: the connection failed or ended under the request (an HTTP/2 server's
    /// `GOAWAY`, a reset, a timeout). Tried again at once the first time, on a new connection;
    /// later times back off as ``retry(reason:after:)`` does.
    case connectionLost(reason: String)
    /// Will never succeed as it is: dead-letter with the provider's reason.
    case failed(reason: String)
    /// The token is no longer valid; `at` is when the provider saw it go (APNs' 410 timestamp).
    case tokenGone(reason: String, at: Date?)
    /// The provider refuses the token itself (APNs 400 `BadDeviceToken`): a token that never
    /// got a push is dead and its device is removed; one that did is kept (the credential's
    /// environment may have changed under it) and only the push is dead-lettered.
    case badToken(reason: String)
    /// The credential itself was refused: stop using it until the operator acts.
    case credentialRejected(reason: String)
}

extension PushOutcome {
    /// The `outcome` label of `zmes_pushes_total`.
    public var metricName: String {
        switch self {
        case .delivered: return "delivered"
        case .retry, .connectionLost: return "retry"
        case .failed: return "failed"
        case .badToken: return "failed"  // the dispatcher reports it as failed or token_removed
        case .tokenGone: return "token_removed"
        case .credentialRejected: return "credential_rejected"
        }
    }
}
