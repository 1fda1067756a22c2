/// A provider's error code as a Swift enum: the codes zmes acts on are cases, compared as
/// cases; any other code is kept as sent (`other`), so the outbox records the provider's own
/// word (`rawValue`) either way.
protocol ProviderReason: RawRepresentable<String>, Decodable, Sendable, Equatable {
    /// Every case but `other`.
    static var named: [Self] { get }
    /// A code zmes has no case for, as the provider wrote it.
    static func other(_ text: String) -> Self
}

extension ProviderReason {
    init(rawValue: String) {
        self = Self.named.first { $0.rawValue == rawValue } ?? .other(rawValue)
    }
}
