import Crypto
import Foundation
import Model

/// The links to an event's picture that pushes and websocket alarms carry:
/// `<public_url>/pictures/<event id>/<frame>?exp=<unix time>&sig=<HMAC>`. zmes serves them itself
/// (fetching the frame from ZoneMinder with its own login), so no ZoneMinder password or token ever
/// travels to Google, Apple, the proxy or a phone. The signature binds the event, the frame and the
/// expiry: a link cannot be stretched in time or pointed at another event (docs/PICTURES.md).
public struct PictureLinks: Sendable {
    /// How phones reach zmes, e.g. `https://zm.example.com:9000`, without a trailing slash.
    public let publicURL: String
    /// Seconds a link stays valid (`pictures.ttl`).
    public let lifetime: Int
    /// `pictures.frame`: the frame when no hook chose one.
    public let defaultFrame: String
    private let key: SymmetricKey

    /// The length of the signing key zmes makes for itself (kept in the store as secret `pictures`).
    public static let keyLength = 32
    public static let secretName = "pictures"

    public init(publicURL: String, lifetime: Int, defaultFrame: String, key: [UInt8]) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.lifetime = lifetime
        self.defaultFrame = defaultFrame
        self.key = SymmetricKey(data: key)
    }

    /// A new random signing key.
    public static func makeKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The link for the alarm's picture, valid `lifetime` seconds from `now`.
    public func url(for alarm: Alarm, now: Date = Date()) -> String {
        let frame = Self.frame(for: alarm, default: defaultFrame)
        let expiry = Int(now.timeIntervalSince1970) + lifetime
        return "\(publicURL)/pictures/\(alarm.eventId)/\(frame)?exp=\(expiry)&sig=\(signature(eventId: alarm.eventId, frame: frame, expiry: expiry))"
    }

    /// Which frame of the event to show: `objdetect` (the image the hook drew its boxes on) when a hook
    /// reported a detection with its JSON, else the frame its `[a]`/`[s]` prefix named, else `pictures.frame`.
    public static func frame(for alarm: Alarm, default defaultFrame: String) -> String {
        guard let detection = alarm.detection else { return defaultFrame }
        if detection.json != nil { return "objdetect" }
        return detection.frame?.rawValue ?? defaultFrame
    }

    /// Whether a request's `exp` and `sig` are this zmes's for that event and frame and not expired.
    /// Compared in constant time, so the signature cannot be guessed byte by byte.
    public func isValid(eventId: Int, frame: String, expiry: Int, signature given: String, now: Date = Date()) -> Bool {
        guard expiry >= Int(now.timeIntervalSince1970) else { return false }
        return constantTimeEqual(signature(eventId: eventId, frame: frame, expiry: expiry).utf8, given.utf8)
    }

    private func signature(eventId: Int, frame: String, expiry: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Self.message(eventId, frame, expiry), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func message(_ eventId: Int, _ frame: String, _ expiry: Int) -> Data {
        Data("zmes-picture\n\(eventId)\n\(frame)\n\(expiry)".utf8)
    }
}
