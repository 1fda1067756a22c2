import Testing

/// Checks the fields every server reply carries (`event`, `type`, `status`, `reason`): each one given
/// must be there with that value.
public func expectReply(
    _ reply: [String: Any], event: String? = nil, type: String? = nil, status: String? = nil, reason: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for (key, expected) in [("event", event), ("type", type), ("status", status), ("reason", reason)] {
        guard let expected else { continue }
        #expect(reply[key] as? String == expected, "\(key) of \(reply)", sourceLocation: sourceLocation)
    }
}
