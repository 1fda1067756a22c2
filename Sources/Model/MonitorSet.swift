import Foundation

/// The monitors a user may see: every monitor, or only some.
public enum MonitorSet: Sendable, Equatable, Codable {
    case all
    case only(Set<Int>)

    public func contains(_ monitor: Int) -> Bool {
        switch self {
        case .all: return true
        case .only(let monitors): return monitors.contains(monitor)
        }
    }

    /// Parses `1,2` as given to `zmes user add --monitors`; empty means all.
    public init?(list: String) {
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if entries.isEmpty {
            self = .all
            return
        }
        var monitors = Set<Int>()
        for entry in entries {
            guard let id = Int(entry), id >= 0 else { return nil }
            monitors.insert(id)
        }
        self = .only(monitors)
    }

    /// `nil` for all monitors, else the ids joined by commas.
    public var list: String? {
        switch self {
        case .all: return nil
        case .only(let monitors): return monitors.sorted().map(String.init).joined(separator: ",")
        }
    }
}
