import Model
import Testing

@Suite("Input bounds")
struct InputBoundsTests {
    @Test("push tokens: APNs hex of 64 to 200 digits, or FCM's alphabet up to 4 KiB")
    func pushTokens() {
        let valid = [
            String(repeating: "ab", count: 32), String(repeating: "AB", count: 100), "fcm-token:APA91b_x.y-z",
            String(repeating: "q", count: 4_096), String(repeating: "0", count: 63),  // short hex: an FCM-shaped token
        ]
        for token in valid { #expect(PushTokenFormat.isValid(token), "\(token.prefix(20)) (\(token.count))") }
        let invalid = [
            "", "a b", "line\nbreak", "quote\"", "tökén", "slash/", String(repeating: "ab", count: 101),
            String(repeating: "q", count: 4_097), "\u{0}",
        ]
        for token in invalid { #expect(!PushTokenFormat.isValid(token), "\(token.prefix(20)) (\(token.count))") }
    }

    @Test("client text in log lines: control characters escaped, at most 64 characters")
    func loggedNames() {
        #expect(loggedText("alice") == "alice")
        #expect(loggedText("a\nb\r\"c\\") == #"a\nb\r\"c\\"#)
        #expect(loggedText("x\u{1}\u{2028}y") == #"x\u{1}\u{2028}y"#)
        #expect(loggedText(String(repeating: "é", count: 100)) == String(repeating: "é", count: 64) + "…")
        #expect(loggedText(String(repeating: "z", count: 64)) == String(repeating: "z", count: 64))
    }

    @Test("badge counts are held within 0...99,999 and saturate")
    func badges() {
        #expect(BadgeCount.clamped(Int.max) == 99_999)
        #expect(BadgeCount.clamped(-1) == 0)
        #expect(BadgeCount.clamped(9.223372036854776e18) == 99_999)
        #expect(BadgeCount.clamped(Double.nan) == 0)
        #expect(BadgeCount.clamped(-Double.infinity) == 0)
        #expect(BadgeCount.incremented(99_999) == 99_999)
        #expect(BadgeCount.incremented(Int.max) == 99_999)
        #expect(BadgeCount.incremented(41) == 42)
    }
}
