import Model

/// An alarm's wire text, encoded at most once per form (plain or supplementary)
/// however many sessions it goes to: 10,000 sessions share one string's storage
/// instead of running JSONEncoder 10,000 times inside the registry actor.
struct EncodedAlarm {
    let alarm: Alarm
    private var plain: String?
    private var supplementary: String?

    init(alarm: Alarm) {
        self.alarm = alarm
    }

    mutating func text(supplementary isSupplementary: Bool) -> String {
        if isSupplementary {
            if let supplementary { return supplementary }
            let text = WireEncoding.text(AlarmMessage(alarm: alarm, supplementary: true))
            supplementary = text
            return text
        }
        if let plain { return plain }
        let text = WireEncoding.text(AlarmMessage(alarm: alarm, supplementary: false))
        plain = text
        return text
    }
}
