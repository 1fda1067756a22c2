import Foundation
import Model

/// What a push shows for one alarm, the same for every device that gets it: only the badge differs.
struct RenderedAlarm: Sendable {
    var title: String
    var body: String
    var collapseID: String
    var pictureURL: String?
}

/// Alarms rendered once per claimed batch.
struct RenderedAlarms {
    let template: MessageTemplate
    let pictures: PictureLinks?
    private var rendered: [Alarm: RenderedAlarm] = [:]

    init(template: MessageTemplate, pictures: PictureLinks?) {
        self.template = template
        self.pictures = pictures
    }

    mutating func text(for alarm: Alarm) -> RenderedAlarm {
        if let text = rendered[alarm] { return text }
        let (title, body) = template.render(alarm)
        // Signed when sent, not when queued: a push retried or replayed later still carries a live link.
        let text = RenderedAlarm(
            title: title, body: body, collapseID: template.collapseID(for: alarm), pictureURL: pictures?.url(for: alarm))
        rendered[alarm] = text
        return text
    }
}
