import Hummingbird
import Model
import NIOCore
import PushDispatcher
import ServiceLifecycle
import Storage

/// Live updates for open console pages: server-sent events from `/changes`, one `data:` line with the
/// outbox's counts whenever they change (checked each second). A stream ends after `lifetime`, or at once
/// when zmes stops; the browser's EventSource reconnects by itself.
enum ConsoleChanges {
    static let lifetime: Duration = .seconds(15)

    static func stream(_ store: any Store) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                var last = ""
                let end = ContinuousClock.now + lifetime
                // A stopping zmes ends the stream at once instead of waiting out its lifetime.
                let stopping = StopFlag()
                try await withGracefulShutdownHandler {
                    while ContinuousClock.now < end, !Task.isCancelled, !stopping.isSet {
                        let text = try await state(store)
                        // Unchanged: a comment line, so a closed page is noticed within a second.
                        try await writer.write(ByteBuffer(string: text == last ? ":\n\n" : "data: \(text)\n\n"))
                        last = text
                        try await Task.sleep(for: .milliseconds(500))
                    }
                } onGracefulShutdown: {
                    stopping.set()
                }
                try await writer.finish(nil)
            })
    }

    /// The outbox's counts as one line, e.g. `queued=0&retrying=0&delivered=3&failed=1`: drawn into each live
    /// page (`data-live`) and sent when it changes.
    static func state(_ store: any Store) async throws -> String {
        let counts = try await store.outboxCounts()
        return PushJobState.allCases.map { "\($0.rawValue)=\(counts[$0] ?? 0)" }.joined(separator: "&")
    }

    /// The page's only script: reload when the outbox is not as it was when the page was drawn (unless
    /// the operator is typing in a form).
    static let script = """
        (function () {
          if (!window.EventSource || !document.body.hasAttribute("data-live")) { return; }
          var drawn = document.body.getAttribute("data-live");
          var source = new EventSource("/changes");
          source.onmessage = function (event) {
            var typing = document.activeElement && document.activeElement.matches("input, select, textarea");
            if (event.data !== drawn && !typing) { source.close(); location.reload(); }
          };
        })();
        """
}
