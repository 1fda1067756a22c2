import NIOConcurrencyHelpers
import Testing
import ZmesTestSupport

@testable import EventServer

/// A session's messages are answered one at a time, in the order they came (a login before the
/// token registration that needs it), with no task left behind once they are answered.
@Suite("Serial inbox")
struct SerialInboxTests {
    /// Records what it consumes, and how many consumers run at once.
    final class Record: Sendable {
        let consumed = NIOLockedValueBox<[Int]>([])
        let running = NIOLockedValueBox(0)
        let mostAtOnce = NIOLockedValueBox(0)
        let finished = NIOLockedValueBox(0)
    }

    struct Consumer: InboxConsumer {
        let record: Record
        /// The consumer's own state, carried from one task to the next.
        var count = 0

        mutating func consume(_ input: Int) async {
            let now = record.running.withLockedValue { $0 += 1; return $0 }
            record.mostAtOnce.withLockedValue { $0 = max($0, now) }
            if input % 7 == 0 { try? await Task.sleep(for: .milliseconds(1)) }  // a slow answer, as a store write is
            count += 1
            record.consumed.withLockedValue { $0.append(input) }
            #expect(count == input + 1, "the consumer's state went with it from task to task")
            record.running.withLockedValue { $0 -= 1 }
        }
    }

    @Test("inputs posted from several bursts are consumed in order, one at a time, by one consumer")
    func order() async throws {
        let record = Record()
        let inbox = SerialInbox(Consumer(record: record))
        var next = 0
        for burst in 0..<20 {
            for _ in 0..<(burst * 3 + 1) {
                inbox.post(next)
                next += 1
            }
            // Every few bursts, let the inbox run dry so the next one starts a new task.
            if burst % 4 == 0 {
                let posted = next
                #expect(await eventually { record.consumed.withLockedValue { $0.count } == posted })
            }
        }
        let posted = next
        #expect(await eventually { record.consumed.withLockedValue { $0.count } == posted })
        #expect(record.consumed.withLockedValue { $0 } == Array(0..<posted))
        #expect(record.mostAtOnce.withLockedValue { $0 } == 1)
    }
}
