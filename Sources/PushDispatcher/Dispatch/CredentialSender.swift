/// A provider's sender and the credential it sends with: what the dispatcher uses for each job of that provider.
public struct CredentialSender: Sendable {
    public var credentialName: String
    public var sender: any PushSender

    public init(credentialName: String, sender: any PushSender) {
        self.credentialName = credentialName
        self.sender = sender
    }
}
