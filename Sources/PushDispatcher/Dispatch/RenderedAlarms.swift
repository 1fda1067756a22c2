import Model

/// Titles and bodies rendered once per alarm in a claimed batch: only the badge differs
/// between the devices that get the same alarm.
struct RenderedAlarms {
    let template: MessageTemplate
    private var rendered: [Alarm: (title: String, body: String)] = [:]

    init(template: MessageTemplate) {
        self.template = template
    }

    mutating func text(for alarm: Alarm) -> (title: String, body: String) {
        if let text = rendered[alarm] { return text }
        let text = template.render(alarm)
        rendered[alarm] = text
        return text
    }
}
