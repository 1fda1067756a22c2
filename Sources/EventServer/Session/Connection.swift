import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Runs one websocket connection: reads and answers its messages in the connection's own
/// task, and closes it if it has not logged in by the auth deadline.
///
/// It is the only task a session has. Replies and alarms are written straight into the channel
/// (`SessionWriter`), and pings come from the channel's event loop (`SessionFrameHandler`):
/// 10,000 idle sessions each keeping a writer, a reader and a ping task cost three times the
/// memory of the sockets themselves.
struct Connection {
    let context: ServerContext

    func run(inbound: WebSocketInboundStream, channel: any Channel, address: String) async throws {
        let writer = SessionWriter(channel: channel)
        let id = await context.sessions.open(address: address, writer: writer)
        var state = SessionState(id: id, address: address, openedAt: Date())
        if !context.authRequired {
            do {
                state.logIn(as: try await context.auth.authenticate(user: "", password: ""))
                await context.sessions.update(state)
            } catch {
                context.logger.error("cannot open an anonymous session (auth.enabled is false)", metadata: ["error": "\(error)"])
            }
        }
        let deadline = context.authRequired ? authDeadline(id: id, writer: writer, address: address) : nil
        var handler = MessageHandler(context: context, state: state, writer: writer)
        var failure: (any Error)?
        do {
            for try await message in inbound.messages(maxSize: context.frameCeiling) {
                switch message {
                case .text(let text): await handler.handleText(text)
                case .binary: handler.handleBinary()
                }
            }
        } catch is CancellationError {
        } catch {
            failure = error  // e.g. a message over the ceiling: the websocket layer closes with 1009
        }
        deadline?.cancel()
        await context.sessions.close(id)
        context.logger.debug("connection closed", metadata: ["session": "\(id)", "peer": "\(address)"])
        if let failure { throw failure }
    }

    /// Closes the session with NOAUTH if it has not logged in within `auth.timeout`.
    private func authDeadline(id: SessionID, writer: SessionWriter, address: String) -> Scheduled<Void> {
        let context = context
        let timeout = TimeAmount.milliseconds(Int64(context.configuration.auth.timeout * 1_000))
        return writer.channel.eventLoop.scheduleTask(in: timeout) {
            Task {
                guard await !context.sessions.isAuthenticated(id) else { return }
                context.logger.info("closing: no auth in time", metadata: ["session": "\(id)", "peer": "\(address)"])
                context.telemetry.count("zmes_auth_failures_total", [("reason", "timeout")])
                writer.send(text: WireEncoding.text(Reply.fail("auth", .noAuth)))
                writer.close(.policyViolation, reason: "NOAUTH")
            }
        }
    }
}
