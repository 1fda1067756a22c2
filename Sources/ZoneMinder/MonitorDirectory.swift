import Model

/// Monitor names by id, from the configuration's static list (the API source comes later).
///
/// An alarm that arrives without a name gets it from here, so clients never show a bare id
/// when the operator told zmes the name.
public struct MonitorDirectory: Sendable, Equatable {
    public private(set) var names: [Int: String]

    public init(names: [Int: String] = [:]) {
        self.names = names
    }

    public func name(of monitor: Int) -> String {
        names[monitor] ?? "Monitor \(monitor)"
    }

    /// Fills in a missing monitor name.
    public func completing(_ alarm: Alarm) -> Alarm {
        guard alarm.monitorName.isEmpty else { return alarm }
        var alarm = alarm
        alarm.monitorName = name(of: alarm.monitorId)
        return alarm
    }
}
