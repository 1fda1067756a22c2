import CurlClient
import Foundation

/// Sends pushes through FCM HTTP v1 with a service account's OAuth2 token.
public struct FCMSender: PushSender {
    let credential: FCMCredential
    let client: CurlClient
    let accessTokens: AccessTokenCache

    public init(credential: FCMCredential, client: CurlClient, telemetry: Telemetry = .disabled) throws {
        self.credential = credential
        self.client = client
        accessTokens = try AccessTokenCache(
            account: credential.serviceAccount, client: client, caFile: credential.caFile.isEmpty ? nil : credential.caFile,
            telemetry: telemetry)
    }

    /// OAuth exchanges made so far.
    public func tokenExchanges() async -> Int { await accessTokens.exchanges }

    public func send(_ message: PushMessage) async -> PushOutcome {
        await send(message, validateOnly: false)
    }

    /// FCM checks the message and the credential without delivering anything.
    public func validateOnly(_ message: PushMessage) async -> PushOutcome {
        await send(message, validateOnly: true)
    }

    private func send(_ message: PushMessage, validateOnly: Bool) async -> PushOutcome {
        let first = await attempt(message, validateOnly: validateOnly)
        guard case .unauthorized(let token) = first else { return first.outcome }
        await accessTokens.invalidate(token)
        let second = await attempt(message, validateOnly: validateOnly)  // refreshed once
        if case .unauthorized = second { return .credentialRejected(reason: "\(FCMErrorCode.unauthenticated.rawValue) after a fresh access token") }
        return second.outcome
    }

    private enum Attempt {
        case done(PushOutcome)
        case unauthorized(String)

        var outcome: PushOutcome {
            switch self {
            case .done(let outcome): return outcome
            case .unauthorized: return .credentialRejected(reason: FCMErrorCode.unauthenticated.rawValue)
            }
        }
    }

    private func attempt(_ message: PushMessage, validateOnly: Bool) async -> Attempt {
        let token: String
        do {
            token = try await accessTokens.token()
        } catch let error as OAuthError {
            return .done(.credentialRejected(reason: error.description))
        } catch {
            return .done(.retry(reason: "token endpoint: \(error)", after: nil))
        }
        let request = CurlRequest(
            url: credential.sendURL,
            headers: [("authorization", "Bearer \(token)"), ("content-type", "application/json")],
            body: FCMMessage.encode(message, validateOnly: validateOnly),
            caFile: credential.caFile.isEmpty ? nil : credential.caFile)
        let response: CurlResponse
        do {
            response = try await client.send(request)
        } catch {
            return .done(.connectionLost(reason: "\(error)"))
        }
        let outcome = FCMReply(response).outcome
        if response.status == 401, case .failed = outcome { return .done(outcome) }  // THIRD_PARTY_AUTH_ERROR
        if response.status == 401 { return .unauthorized(token) }
        return .done(outcome)
    }
}
