import Foundation
import Model

/// A registered provider credential as the store keeps it: an opaque JSON body
/// (key material included) and whether the provider has rejected it.
public struct StoredCredential: Sendable, Equatable {
    public var name: String
    public var provider: PushProvider
    public var body: Data
    public var brokenReason: String?
    public var brokenAt: Date?
    public var updatedAt: Date
}
