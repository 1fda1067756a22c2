/// Why a benchmark stopped instead of printing a number.
public enum BenchmarkError: Error, CustomStringConvertible {
    case launchFailed(String)
    case notListening(String)
    case sessionsFailed(opened: Int, wanted: Int, reason: String)
    case alarmNotDelivered(index: Int, received: Int, wanted: Int)
    case http(String)
    case badArguments(String)

    public var description: String {
        switch self {
        case .launchFailed(let reason): return "could not launch: \(reason)"
        case .notListening(let reason): return "server did not start listening: \(reason)"
        case .sessionsFailed(let opened, let wanted, let reason): return "only \(opened) of \(wanted) sessions opened: \(reason)"
        case .alarmNotDelivered(let index, let received, let wanted): return "alarm \(index) reached \(received) of \(wanted) clients"
        case .http(let reason): return "admin HTTP: \(reason)"
        case .badArguments(let reason): return reason
        }
    }
}
