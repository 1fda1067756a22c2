import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the server's services until SIGTERM/SIGINT or a `ShutdownTrigger`, reloads on SIGHUP, and stops
/// in order: sessions get close 1001 (going away), then the listeners stop, then pushes in flight finish.
///
/// The service group is awaited to its end rather than cancelled, so a clean stop logs nothing at error level.
struct ServerLifecycle {
    let services: [any Service]
    let sessions: SessionRegistry
    let reload: @Sendable () async -> Void
    let logger: Logger

    func run(handleSignals: Bool, stop: ShutdownTrigger?) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [],  // handled below, so sessions are told 1001 first
                logger: logger))
        let sessions = sessions
        let logger = logger
        @Sendable func shutDown(_ reason: String) async {
            logger.notice("shutting down", metadata: ["reason": "\(reason)"])
            await sessions.closeAll(.goingAway, reason: "server shutting down")
            try? await Task.sleep(for: .milliseconds(200))  // lets the close frames reach the clients
            await group.triggerGracefulShutdown()
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if handleSignals {
                tasks.addTask {
                    for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                        await shutDown("\(signal)")
                        break
                    }
                }
                tasks.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        await reload()
                    }
                }
            }
            if let stop {
                tasks.addTask {
                    await stop.wait()
                    guard !Task.isCancelled else { return }
                    await shutDown("stop requested")
                }
            }
            defer { tasks.cancelAll() }
            try await group.run()
        }
    }
}
