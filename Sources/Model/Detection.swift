/// What a detection hook (`zm_detect` and the like) reported for an alarm, read from its output in the
/// Perl server's shape `[a] detected:person:91% --SPLIT--{json}` (docs/HOOKS.md).
public struct Detection: Sendable, Hashable, Codable {
    /// The text before `--SPLIT--`, without the frame prefix: `detected:person:91%`.
    public var text: String
    /// The JSON after `--SPLIT--`, as the hook printed it; the websocket alarm's `DetectionJson`.
    public var json: String?
    /// The frame the hook found best (`[a]` alarm, `[s]` snapshot), when it said.
    public var frame: DetectionFrame?

    public init(text: String, json: String? = nil, frame: DetectionFrame? = nil) {
        self.text = text
        self.json = json
        self.frame = frame
    }
}

/// The frame of an event a hook's `[a]`/`[s]` prefix names: ZoneMinder's `alarm` or `snapshot` image.
public enum DetectionFrame: String, Sendable, Hashable, Codable {
    case alarm
    case snapshot
}
