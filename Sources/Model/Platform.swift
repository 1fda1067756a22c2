/// The kind of phone a push token belongs to.
public enum Platform: String, Sendable, Codable, CaseIterable {
    case ios
    case android

    /// Accepts the spellings real clients send (`ios`, `iOS`, `android`).
    public init?(clientValue: String) {
        self.init(rawValue: clientValue.lowercased())
    }
}

/// Whether a device wants its alarms pushed (`enabled`) or over its websocket (`disabled`).
public enum PushState: String, Sendable, Codable, CaseIterable {
    case enabled
    case disabled

    public init?(clientValue: String) {
        self.init(rawValue: clientValue.lowercased())
    }
}
