/// How zmes marks an alarm for Apple when it goes through FCM or the proxy (their `apns` /
/// `ios` objects), the same values `APNsSender` sends as HTTP/2 headers. Sorted by name.
enum APNsAlert {
    static let headers: [(key: String, value: String)] = [("apns-priority", "10"), ("apns-push-type", "alert")]
    static let threadID = "zmninja_alarm"
}
