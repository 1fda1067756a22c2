/// How zmes marks an alarm for Apple when it goes through FCM or the proxy (their `apns` /
/// `ios` objects), the same values `APNsSender` sends as HTTP/2 headers. Sorted by name.
enum APNsAlert {
    static func headers(collapseID: String) -> [(key: String, value: String)] {
        [("apns-collapse-id", collapseID), ("apns-priority", "10"), ("apns-push-type", "alert")]
    }
    static let threadID = "zmninja_alarm"
}
