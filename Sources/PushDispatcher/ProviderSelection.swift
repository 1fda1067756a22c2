import Model

/// Which provider a device's pushes go to (docs/OPERATIONS.md, "Credentials").
///
/// A 64+ hex-character token is an APNs device token; it goes to APNs when
/// APNs credentials exist. Any other token goes to FCM when FCM credentials
/// exist, else to the zmNinja proxy.
public struct ProviderSelection: Sendable, Equatable {
    /// The providers zmes has credentials for (the proxy needs none).
    public var configured: Set<PushProvider>

    public init(configured: Set<PushProvider>) {
        self.configured = configured
    }

    public var hasAPNs: Bool { configured.contains(.apns) }
    public var hasFCM: Bool { configured.contains(.fcm) }

    public func provider(forToken token: String) -> PushProvider {
        if hasAPNs && Self.isAPNsToken(token) { return .apns }
        return hasFCM ? .fcm : .proxy
    }

    static func isAPNsToken(_ token: String) -> Bool {
        token.utf8.count >= 64 && token.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }
}
