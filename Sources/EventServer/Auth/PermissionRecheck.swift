import Foundation
import Logging
import ServiceLifecycle

/// Makes user changes reach live sessions within seconds: every `auth.recheck_interval` it
/// lets the backend refresh what it keeps, then re-reads the permissions of every user with
/// a session open and applies them (`SessionRegistry.revise`).
///
/// Pushes need nothing from here: the router asks the backend about each alarm's device
/// owners as it routes it, so they follow the same answers.
struct PermissionRecheck: Service {
    let auth: any AuthBackend
    let sessions: SessionRegistry
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await recheckOnce()
            }
        }
    }

    func recheckOnce() async {
        await auth.recheck()
        let users = await sessions.authenticatedUsers()
        guard !users.isEmpty else { return }
        let permissions: MonitorPermissions
        do {
            permissions = try await auth.monitorPermissions(for: users)
        } catch {
            logger.error("cannot re-read user permissions; live sessions keep theirs", metadata: ["error": "\(error)"])
            return
        }
        let (closed, changed) = await sessions.revise(permissions)
        if closed > 0 || changed > 0 {
            logger.notice("user permissions changed", metadata: ["sessionsClosed": "\(closed)", "sessionsNarrowedOrWidened": "\(changed)"])
        }
    }
}
