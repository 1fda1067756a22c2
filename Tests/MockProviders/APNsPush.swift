import Foundation

/// A push MockAPNs accepted (answered 200), as the client sent it.
public struct APNsPush: Sendable {
    public var deviceToken: String
    /// Lower-cased request headers (pseudo-headers excluded).
    public var headers: [String: String]
    /// The raw JSON payload bytes.
    public var payloadBytes: [UInt8]
    /// The `apns-id` of the 200 reply (echoed from the request or generated).
    public var apnsID: String
    /// The provider JWT that authorised it.
    public var providerToken: String
    public var connectionID: Int
    public var receivedAt: Date

    /// The payload parsed (it always parses: the mock refuses anything else).
    public var payload: JSONValue { JSONValue.parse(payloadBytes) ?? .null }

    /// The payload as Foundation objects, for code that prefers `[String: Any]`.
    public func payloadObject() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(payloadBytes))) as? [String: Any]
    }

    public var payloadString: String { String(decoding: payloadBytes, as: UTF8.self) }
}
