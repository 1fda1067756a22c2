import Foundation
import NIOConcurrencyHelpers

/// Every process a benchmark launched, so that none outlives it: killed at exit,
/// on SIGINT/SIGTERM, and by each benchmark step's own `defer`.
public enum ChildProcesses {
    private static let pids = NIOLockedValueBox<Set<pid_t>>([])
    private static let installed = NIOLockedValueBox(false)

    public static func add(_ pid: pid_t) {
        installCleanup()
        pids.withLockedValue { _ = $0.insert(pid) }
    }

    public static func remove(_ pid: pid_t) {
        pids.withLockedValue { _ = $0.remove(pid) }
    }

    public static func killAll() {
        for pid in pids.withLockedValue({ $0 }) { kill(pid, SIGKILL) }
    }

    private static func installCleanup() {
        let first = installed.withLockedValue { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        atexit { ChildProcesses.killAll() }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                ChildProcesses.killAll()
                _exit(128 + received)
            }
        }
    }
}
