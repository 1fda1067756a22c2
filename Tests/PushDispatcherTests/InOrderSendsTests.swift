import Testing

@testable import PushDispatcher

@Suite("In-order sends (an MQTT broker's jobs)")
struct InOrderSendsTests {
    /// A ready push: its label, and its order key (nil: a phone's push, no order to keep).
    struct Push: Equatable {
        var label: String
        var key: String?
    }

    func take(_ slots: Int, _ ready: inout [Push], _ sends: inout InOrderSends) -> [String] {
        sends.take(slots, from: &ready, key: \.key).map(\.label)
    }

    @Test("a broker's second job waits for its first; phones' pushes and other brokers' jobs pass it")
    func secondWaitsForFirst() {
        var sends = InOrderSends()
        var ready = [
            Push(label: "start", key: "mqtt home"), Push(label: "phone", key: nil),
            Push(label: "end", key: "mqtt home"), Push(label: "other broker", key: "mqtt office"),
        ]
        for push in ready { sends.added(key: push.key) }
        #expect(take(10, &ready, &sends) == ["start", "phone", "other broker"])
        #expect(ready.map(\.label) == ["end"])
        #expect(take(10, &ready, &sends).isEmpty)  // the start is not answered yet
        sends.finished(key: "mqtt home")
        #expect(take(10, &ready, &sends) == ["end"])
        #expect(ready.isEmpty)
    }

    @Test("the slots bound what is taken, in the buffer's order, and the rest stays in order")
    func slotsAndOrder() {
        var sends = InOrderSends()
        var ready = (1...5).map { Push(label: "p\($0)", key: nil) } + [Push(label: "b1", key: "mqtt home"), Push(label: "b2", key: "mqtt home")]
        for push in ready { sends.added(key: push.key) }
        #expect(take(3, &ready, &sends) == ["p1", "p2", "p3"])
        #expect(take(3, &ready, &sends) == ["p4", "p5", "b1"])
        #expect(ready.map(\.label) == ["b2"])
        sends.finished(key: nil)  // a phone's push answered frees nothing
        #expect(take(3, &ready, &sends).isEmpty)
        sends.finished(key: "mqtt home")
        #expect(take(3, &ready, &sends) == ["b2"])
    }
}
