import Foundation

/// The Perl server's notification text and picture settings, as zmes's `push.*` and `pictures:`.
extension EventNotificationMigration {
    /// `push.*` lines: its title was `<Name> Alarm`, with ` (<eid>)` under `tag_alarm_event_id`.
    static func pushTextLines(_ take: (String, String) -> String?) -> [String] {
        var lines = ["  title: \"{name} Alarm\"", "  body: \"{cause} at {time}\""]
        lines.append("  tag_event_id: \(flag(take("customize", "tag_alarm_event_id")) ?? false)")
        if let format = take("fcm", "date_format"), !format.isEmpty { lines.append("  date_format: \(quoted(format))") }
        lines.append("  replace_previous: \(flag(take("fcm", "replace_push_messages")) ?? false)")
        return lines
    }

    /// `pictures:` from `include_picture` and `picture_url`. The Perl server's URL pointed at ZoneMinder
    /// with a password in it; zmes's links point at zmes, so `public_url` is proposed from that URL's host
    /// and zmes's own port, to be checked.
    static func pictureLines(
        _ take: (String, String) -> String?, port: Int, tls: Bool, notes: inout [String]
    ) -> [String] {
        for key in ["picture_portal_username", "picture_portal_password"] where take("customize", key) != nil {
            notes.append("customize.\(key): not carried over: zmes fetches pictures as zoneminder.user, and no password goes into a link")
        }
        guard flag(take("customize", "include_picture")) == true, let pictureURL = take("customize", "picture_url"),
            let components = URLComponents(string: pictureURL), let host = components.host
        else { return [] }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        var lines = ["pictures:", "  enabled: true"]
        let publicURL = "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        lines.append("  public_url: \(quoted(publicURL))")
        // BESTMATCH: the hook's choice when it made one (zmes does that for every frame setting).
        if let frame = query["fid"], frame.uppercased() != "BESTMATCH", !frame.isEmpty { lines.append("  frame: \(quoted(frame))") }
        if let width = query["width"].flatMap({ Int($0) }) { lines.append("  width: \(width)") }
        if query["pass"] != nil || query["password"] != nil || query["token"] != nil {
            notes.append("customize.picture_url: its user name and password are not carried over (zmes's links hold none)")
        }
        notes.append("pictures.public_url: proposed as \(publicURL); set it to how phones reach zmes")
        return lines
    }
}
