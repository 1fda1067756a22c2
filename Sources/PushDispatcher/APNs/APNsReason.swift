/// The `reason` of an APNs error reply (Apple's "Handling notification responses from APNs").
enum APNsReason: ProviderReason {
    /// 400: not a device token of this topic and environment; see `PushOutcome.badToken`.
    case badDeviceToken
    /// 403: the provider token is over an hour old; zmes signs a fresh one and sends again.
    case expiredProviderToken
    /// 410: the app is no longer on the device; the token is removed.
    case unregistered
    /// 429: the provider token was renewed more often than every 20 minutes (`ProviderToken`).
    case tooManyProviderTokenUpdates
    /// Any other reason (`InvalidProviderToken`, `DeviceTokenNotForTopic`, `PayloadTooLarge`...).
    case other(String)

    static let named: [APNsReason] = [.badDeviceToken, .expiredProviderToken, .unregistered, .tooManyProviderTokenUpdates]

    var rawValue: String {
        switch self {
        case .badDeviceToken: return "BadDeviceToken"
        case .expiredProviderToken: return "ExpiredProviderToken"
        case .unregistered: return "Unregistered"
        case .tooManyProviderTokenUpdates: return "TooManyProviderTokenUpdates"
        case .other(let text): return text
        }
    }
}
