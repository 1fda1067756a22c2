import Foundation
import Logging
import NIOCore

/// One websocket session's life, fed in order by its `SerialInbox`: opened, each message, closed.
///
/// A session has no task of its own. Its frames are read on the channel's event loop
/// (`SessionFrameReader`), which posts them here; replies and alarms are written straight into the
/// channel (`SessionWriter`), and pings come from the event loop (`SessionFrameHandler`): 10,000
/// idle sessions each keeping a reader, a writer or a ping task cost several times the memory of
/// the sockets themselves.
struct Connection: InboxConsumer {
    enum Input: Sendable {
        /// The upgrade is done: register the session and start its auth deadline.
        case opened
        case text(String)
        case binary
        /// The channel has closed: unregister the session.
        case closed
    }

    private var handler: MessageHandler
    private var authDeadline: Scheduled<Void>?

    /// `address` is the client's, from `X-Forwarded-For` behind a trusted proxy.
    init(context: ServerContext, writer: SessionWriter, address: String) {
        // The registry gives the session its id when it opens; until then it has none.
        let state = SessionState(id: .unregistered, address: address, openedAt: Date())
        handler = MessageHandler(context: context, state: state, writer: writer)
    }

    mutating func consume(_ input: Input) async {
        switch input {
        case .opened: await open()
        case .text(let text): await handler.handleText(text)
        case .binary: handler.handleBinary()
        case .closed: await close()
        }
    }

    private mutating func open() async {
        let context = handler.context
        let address = handler.state.address
        let id = await context.sessions.open(address: address, writer: handler.writer)
        handler.state = SessionState(id: id, address: address, openedAt: Date())
        if context.authRequired {
            authDeadline = authDeadline(id: id, writer: handler.writer, address: address)
        } else {
            do {
                handler.state.logIn(as: try await context.auth.authenticate(user: "", password: ""))
                await context.sessions.update(handler.state)
            } catch {
                context.logger.error("cannot open an anonymous session (auth.enabled is false)", metadata: ["error": "\(error)"])
            }
        }
    }

    private mutating func close() async {
        authDeadline?.cancel()
        authDeadline = nil
        let id = handler.state.id
        await handler.context.sessions.close(id)
        handler.context.logger.debug("connection closed", metadata: ["session": "\(id)", "peer": "\(handler.state.address)"])
    }

    /// Closes the session with NOAUTH if it has not logged in within `auth.timeout`.
    private func authDeadline(id: SessionID, writer: SessionWriter, address: String) -> Scheduled<Void> {
        let context = handler.context
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
