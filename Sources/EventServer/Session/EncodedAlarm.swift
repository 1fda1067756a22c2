import Model
import NIOWebSocket

/// An alarm's websocket frame, encoded at most once per form (plain or supplementary)
/// however many sessions it goes to: 10,000 sessions share one buffer's storage
/// instead of running JSONEncoder 10,000 times inside the registry actor, and the
/// frame's wire bytes (`WireFrame`) instead of encoding its header 10,000 times.
struct EncodedAlarm {
    let alarm: Alarm
    /// The signed link to the event's picture (`Picture`), when pictures are on.
    let picture: String?
    private var plain: WireFrame?
    private var supplementary: WireFrame?

    init(alarm: Alarm, picture: String? = nil) {
        self.alarm = alarm
        self.picture = picture
    }

    mutating func frame(supplementary isSupplementary: Bool) -> WireFrame {
        if isSupplementary {
            if let supplementary { return supplementary }
            let frame = WireFrame(SessionWriter.textFrame(WireEncoding.text(AlarmMessage(alarm: alarm, picture: picture, supplementary: true))))
            supplementary = frame
            return frame
        }
        if let plain { return plain }
        let frame = WireFrame(SessionWriter.textFrame(WireEncoding.text(AlarmMessage(alarm: alarm, picture: picture, supplementary: false))))
        plain = frame
        return frame
    }
}
