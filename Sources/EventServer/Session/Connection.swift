import Foundation
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// Runs one websocket connection: a reader that answers messages, a writer that
/// owns the socket's output, and the auth deadline.
struct Connection {
    let context: ServerContext

    private enum ChildOutcome: Sendable {
        /// The connection is over (the writer closed it or the client went away).
        case finished
        /// The reader failed in a way the websocket layer must see (e.g. message too large).
        case failed(any Error)
        /// A helper task ended; the connection goes on.
        case helperDone
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, address: String) async throws {
        let (stream, outgoing) = AsyncStream<Outgoing>.makeStream(bufferingPolicy: .bufferingNewest(1_024))
        let id = await context.sessions.open(address: address, outgoing: outgoing)
        var state = SessionState(id: id, address: address, openedAt: Date())
        if !context.authRequired, let anonymous = try? await context.auth.authenticate(user: "", password: "") {
            state.user = anonymous
            await context.sessions.update(state)
        }
        let initialState = state
        var failure: (any Error)?
        // The writer runs in this task and the reader in a child, so a session costs one task
        // fewer (thousands of idle sessions each keep their tasks' stacks). Each side ends the
        // other: the reader finishes the outgoing stream, the writer cancels the reader.
        await withTaskGroup(of: ChildOutcome.self) { group in
            if context.authRequired {
                let timeout = context.configuration.auth.timeout
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int(timeout * 1_000)))
                    if !Task.isCancelled, await !context.sessions.isAuthenticated(id) {
                        context.logger.info("closing: no auth in time", metadata: ["session": "\(id)", "peer": "\(address)"])
                        context.telemetry.count("zmes_auth_failures_total", [("reason", "timeout")])
                        outgoing.yield(.text(WireEncoding.text(Reply.fail("auth", .noAuth))))
                        outgoing.yield(.close(.policyViolation, reason: "NOAUTH"))
                    }
                    return .helperDone
                }
            }
            group.addTask {
                defer { outgoing.finish() }
                var handler = MessageHandler(context: context, state: initialState, outgoing: outgoing)
                do {
                    for try await message in inbound.messages(maxSize: context.frameCeiling) {
                        switch message {
                        case .text(let text): await handler.handleText(text)
                        case .binary: handler.handleBinary()
                        }
                    }
                    return .finished
                } catch is CancellationError {
                    return .finished
                } catch {
                    return .failed(error)
                }
            }
            writing: for await item in stream {
                switch item {
                case .text(let text):
                    do { try await outbound.writeTextMessage(text) } catch { break writing }
                case .close(let code, let reason):
                    try? await outbound.close(code, reason: reason)
                    break writing
                }
            }
            group.cancelAll()
            while let outcome = await group.next() {
                if case .failed(let error) = outcome { failure = error }
            }
        }
        outgoing.finish()
        await context.sessions.close(id)
        context.logger.debug("connection closed", metadata: ["session": "\(id)", "peer": "\(address)"])
        if let failure { throw failure }
    }
}
