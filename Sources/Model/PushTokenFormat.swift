/// Which push tokens a client may register: the shapes APNs and FCM give out, so that
/// a client cannot store arbitrary text (newlines, megabytes) as a token.
///
/// The provider is chosen by the token's shape, not by the client's `platform`
/// (zmNinja sends FCM tokens from iPhones too), so the check is by shape as well.
public enum PushTokenFormat {
    /// APNs device tokens: hex; 64 characters today, Apple allows them to grow.
    public static let apnsLength = 64...200
    /// FCM registration tokens: at most 4 KiB.
    public static let fcmMaximumLength = 4_096

    /// Why `token` cannot be a push token, or `nil` when it can.
    public static func problem(with token: String) -> String? {
        let bytes = token.utf8
        guard !bytes.isEmpty else { return "the token is empty" }
        if bytes.count >= apnsLength.lowerBound, bytes.allSatisfy(isHexDigit) {
            guard apnsLength.contains(bytes.count) else {
                return "an APNs token has at most \(apnsLength.upperBound) hex digits"
            }
            return nil
        }
        guard bytes.count <= fcmMaximumLength else { return "a push token has at most \(fcmMaximumLength) bytes" }
        guard bytes.allSatisfy(isFCMCharacter) else {
            return "a push token has only letters, digits and _ : - ."
        }
        return nil
    }

    public static func isValid(_ token: String) -> Bool { problem(with: token) == nil }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func isFCMCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }
}
