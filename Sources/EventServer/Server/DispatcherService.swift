import PushDispatcher
import ServiceLifecycle

/// Runs the dispatcher in the service group; on shutdown it stops claiming and lets in-flight pushes finish.
struct DispatcherService: Service {
    let dispatcher: Dispatcher

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await dispatcher.run()
        }
    }
}
