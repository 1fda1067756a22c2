import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files (RLIMIT_NOFILE): each websocket session is one.
public enum OpenFileLimit {
    public struct Figures: Sendable, Equatable {
        public var soft: Int
        public var hard: Int
    }

    public static func current() -> Figures? {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return nil }
        return Figures(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one (systemd and shells often start services at 1,024).
    @discardableResult
    public static func raiseSoftLimit() -> Figures? {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            #if canImport(Darwin)
            // macOS refuses RLIM_INFINITY here; OPEN_MAX is its real ceiling.
            if raised.rlim_cur == RLIM_INFINITY { raised.rlim_cur = rlim_t(OPEN_MAX) }
            #endif
            _ = setrlimit(resourceNumber, &raised)
        }
        return current()
    }

    /// Files kept for everything but sessions: the event loops, the store, libcurl's connections, the admin API.
    public static func reserve(for limit: Int) -> Int {
        max(256 + 4 * ProcessInfo.processInfo.activeProcessorCount, limit / 10)
    }

    /// How many websocket connections may be open at once: `server.max_sessions`, or fewer when the open-file limit is lower.
    public static func connectionLimit(maxSessions: Int, figures: Figures?) -> Int {
        guard let soft = figures?.soft else { return maxSessions }
        return max(1, min(maxSessions, soft - reserve(for: soft)))
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif

    private static func clamp(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? Int.max : Int(value)
    }
}
