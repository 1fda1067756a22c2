/// Keeps the jobs of an in-order sender (``PushSender/sendsInOrder``) for one token to one at a
/// time, in the outbox's order: the next waits in the ready buffer until the one before it is answered.
///
/// An MQTT broker gets an alarm's messages and then the next alarm's; sent at once, an event's end
/// could reach the broker before its start, and the retained motion state would stay `ON`.
struct InOrderSends {
    /// Tokens (with their provider) that have a job of an in-order sender in flight.
    private var busy: Set<String> = []
    /// In-order jobs in the ready buffer: while there are none and none is in flight, taking
    /// is a plain prefix of the buffer.
    private var waiting = 0

    /// The key a ready push is kept in order by, or nil when its sender has no order to keep.
    static func key(provider: String, token: String, sender: (any PushSender)?) -> String? {
        sender?.sendsInOrder == true ? provider + "\u{0}" + token : nil
    }

    /// Counts a push added to the ready buffer.
    mutating func added(key: String?) {
        if key != nil { waiting += 1 }
    }

    /// Takes up to `slots` pushes from the front of `ready`, in order. A push whose key has a job in
    /// flight stays, and so does every later push with that key.
    mutating func take<Push>(_ slots: Int, from ready: inout [Push], key: (Push) -> String?) -> [Push] {
        let slots = min(slots, ready.count)
        guard slots > 0 else { return [] }
        if waiting == 0 && busy.isEmpty {
            let taken = Array(ready.prefix(slots))
            ready.removeFirst(slots)
            return taken
        }
        var taken: [Push] = []
        var kept: [Push] = []
        for (index, push) in ready.enumerated() {
            guard taken.count < slots else {
                kept.append(contentsOf: ready[index...])
                break
            }
            guard let key = key(push) else {
                taken.append(push)
                continue
            }
            if busy.insert(key).inserted {
                waiting -= 1
                taken.append(push)
            } else {
                kept.append(push)
            }
        }
        ready = kept
        return taken
    }

    /// A push with this key was answered: the next one for its token may go.
    mutating func finished(key: String?) {
        if let key { busy.remove(key) }
    }
}
