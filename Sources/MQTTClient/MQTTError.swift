/// Why a publish did not reach the broker, worded for the person reading `zmes push list`.
public enum MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not connected right now; `reason` is why the last attempt failed (refused, TLS, unreachable).
    case notConnected(reason: String)
    /// The broker refused the connection itself (bad user name or password, not authorised, banned client id).
    case connectionRefused(reason: String)
    /// The connection dropped before the broker acknowledged the message.
    case disconnected(reason: String)
    /// No PUBACK within the time allowed.
    case timedOut(seconds: Double)
    /// The broker answered the publish with an MQTT 5 failure reason (not authorized, quota...).
    case refused(reason: String)
    /// libmosquitto refused the call itself.
    case library(String)
    /// The connection is stopped (zmes is stopping or the broker left the configuration).
    case stopped

    public var description: String {
        switch self {
        case .notConnected(let reason): return "not connected to the broker: \(reason)"
        case .connectionRefused(let reason): return reason
        case .disconnected(let reason): return "connection lost before the broker acknowledged: \(reason)"
        case .timedOut(let seconds): return "the broker did not acknowledge within \(Int(seconds)) s"
        case .refused(let reason): return "the broker refused the message: \(reason)"
        case .library(let message): return message
        case .stopped: return "the MQTT connection is stopped"
        }
    }
}
