import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Where a listener binds and which configuration keys set it, for an error a user can act on.
struct ListenerBinding: Sendable {
    var address: String
    var port: Int
    var keys: String
}

/// A listener that cannot bind, named by address, port and the keys that set them.
struct ListenerBindingError: Error, CustomStringConvertible {
    var binding: ListenerBinding
    var reason: String

    var description: String {
        let host = binding.address.contains(":") ? "[\(binding.address)]" : binding.address
        return "cannot listen on \(host):\(binding.port) (\(binding.keys)): \(reason)"
    }
}

/// Runs a listener as one of the server's services, turning bind failures into `ListenerBindingError`.
struct ListenerService: Service {
    let binding: ListenerBinding
    let listen: @Sendable () async throws -> Void

    /// The websocket listener, on swift-nio.
    init(_ listener: WebSocketListener, binding: ListenerBinding) {
        self.binding = binding
        self.listen = listener.run
    }

    /// A Hummingbird application (the admin listener).
    init(_ application: some ApplicationProtocol, binding: ListenerBinding) {
        self.binding = binding
        self.listen = application.run
    }

    func run() async throws {
        do {
            try await listen()
        } catch let error as IOError where Self.bindErrors.contains(error.errnoCode) {
            let reason = switch error.errnoCode {
            case EADDRINUSE: "the address is already in use (another zmes or program listens there)"
            case EACCES: "permission denied (ports below 1024 need privileges)"
            default: "the address is not available on this machine"
            }
            throw ListenerBindingError(binding: binding, reason: reason)
        }
    }

    private static var bindErrors: Set<Int32> { [EADDRINUSE, EACCES, EADDRNOTAVAIL] }
}
