import Model

/// What a hook run came to: a detection, or a failure (non-zero exit, no text, timeout, dropped) and why.
enum HookOutcome: Sendable, Equatable {
    case detected(Detection)
    case failed(String)

    var detection: Detection? {
        if case .detected(let detection) = self { return detection }
        return nil
    }

    var succeeded: Bool { detection != nil }
}
