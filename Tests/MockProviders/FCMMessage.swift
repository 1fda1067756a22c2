import Foundation

/// A message MockFCM accepted (answered 200 and not `validate_only`).
public struct FCMMessage: Sendable {
    /// `message.token`, nil for topic/condition sends.
    public var token: String?
    /// The decoded `"message"` object.
    public var message: JSONValue
    /// The `"message"` object re-serialised as JSON (sorted keys).
    public var messageBytes: [UInt8]
    /// The `name` the mock answered with, "projects/<id>/messages/<n>".
    public var name: String
    /// The OAuth access token that authorised it.
    public var accessToken: String
    public var headers: [String: String]
    public var connectionID: Int
    public var receivedAt: Date

    /// The message as Foundation objects, for code that prefers `[String: Any]`.
    public func messageObject() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(messageBytes))) as? [String: Any]
    }
}
