import Foundation

/// A push MockProxy accepted (answered 200).
public struct ProxyPush: Sendable {
    public enum Platform: String, Sendable { case android, ios }

    public var token: String
    public var platform: Platform
    /// The whole JSON body, parsed.
    public var json: JSONValue
    /// The whole body as sent.
    public var body: [UInt8]
    /// The id answered in `{"Success":"<id>"}`.
    public var id: String
    public var connectionID: Int
    public var receivedAt: Date

    public var title: String? { json["title"]?.stringValue }
    public var data: [String: String] { json["data"]?.objectValue?.compactMapValues(\.stringValue) ?? [:] }

    /// The body as Foundation objects, for code that prefers `[String: Any]`.
    public func bodyObject() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
