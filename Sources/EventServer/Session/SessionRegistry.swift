import Foundation
import Model
import NIOWebSocket

/// Owns the live connections: their state, their writers, and the
/// in-memory intervals of websocket-only clients (which have no device row).
actor SessionRegistry {
    /// A class, not a struct: `deliver` visits every entry per alarm, and copying a
    /// struct entry (state, user, filter, writer) out of the dictionary costs a handful
    /// of retains and releases each time. Only this actor ever touches an entry.
    private final class Entry {
        var state: SessionState
        let writer: SessionWriter
        /// Last notification per monitor, for clients without a registered device.
        var lastNotified: [Int: (eventId: Int, at: Date)] = [:]

        init(state: SessionState, writer: SessionWriter) {
            self.state = state
            self.writer = writer
        }
    }

    private var entries: [SessionID: Entry] = [:]
    private var nextID: UInt64 = 1

    var count: Int { entries.count }
    var authenticatedCount: Int { entries.values.filter { $0.state.isAuthenticated }.count }

    func open(address: String, writer: SessionWriter) -> SessionID {
        let id = SessionID(value: nextID)
        nextID += 1
        entries[id] = Entry(state: SessionState(id: id, address: address, openedAt: Date()), writer: writer)
        return id
    }

    func close(_ id: SessionID) {
        entries.removeValue(forKey: id)
    }

    /// Takes the session's new state; within one login it keeps the user as `revise` left it,
    /// so a later filter or registration cannot bring back revoked permissions.
    func update(_ state: SessionState) {
        guard let entry = entries[state.id] else { return }
        let revised = entry.state
        entry.state = state
        if state.logins == revised.logins { entry.state.user = revised.user }
    }

    func isAuthenticated(_ id: SessionID) -> Bool {
        entries[id]?.state.isAuthenticated ?? false
    }

    /// Tokens that have an authenticated connection open right now.
    func connectedTokens() -> Set<String> {
        Set(entries.values.compactMap { $0.state.isAuthenticated ? $0.state.deviceToken : nil })
    }

    /// Sends the alarm over websockets, once per device and once per token-less connection.
    ///
    /// - Parameters:
    ///   - registered: the tokens with a device row, at least among the connected ones; a
    ///     connection whose token is not in it is served as a websocket-only client.
    ///   - notified: devices the store decided to notify; `pushed` those of them that also got a push.
    /// - Returns: how many connections were sent the alarm.
    func deliver(_ alarm: Alarm, registered: Set<String>, notified: Set<String>, pushed: Set<String>, now: Date = Date()) -> Int {
        var chosen: [String: Entry] = [:]  // one connection per token: the newest
        var tokenless: [Entry] = []
        tokenless.reserveCapacity(entries.count)
        for entry in entries.values where entry.state.isAuthenticated {
            if let token = entry.state.deviceToken {
                if let current = chosen[token], current.state.openedAt > entry.state.openedAt { continue }
                chosen[token] = entry
            } else {
                tokenless.append(entry)
            }
        }
        var sent = 0
        var wire = EncodedAlarm(alarm: alarm)
        var writes = EventLoopBatches()
        for (token, entry) in chosen {
            if registered.contains(token) {
                guard notified.contains(token) else { continue }
                writes.add(wire.frame(supplementary: pushed.contains(token)), to: entry.writer.channel)
                sent += 1
            } else if deliverToWebsocketOnly(&wire, entry, now: now, into: &writes) {
                sent += 1
            }
        }
        for entry in tokenless where deliverToWebsocketOnly(&wire, entry, now: now, into: &writes) {
            sent += 1
        }
        writes.flush()
        return sent
    }

    /// A client with no registered device: its own permissions, filter and in-memory interval.
    private func deliverToWebsocketOnly(_ wire: inout EncodedAlarm, _ entry: Entry, now: Date, into writes: inout EventLoopBatches) -> Bool {
        guard let user = entry.state.user else { return false }
        let alarm = wire.alarm
        let monitor = alarm.monitorId
        guard user.monitors.contains(monitor), entry.state.filter.allows(monitor: monitor) else { return false }
        let previous = entry.lastNotified[monitor]
        switch alarm.kind {
        case .start:
            if let previous, previous.eventId == alarm.eventId { return false }
            if let previous, now.timeIntervalSince(previous.at) < Double(entry.state.filter.interval(for: monitor)) {
                return false
            }
            entry.lastNotified[monitor] = (alarm.eventId, now)
        case .end:
            guard let previous, previous.eventId == alarm.eventId else { return false }
        }
        writes.add(wire.frame(supplementary: false), to: entry.writer.channel)
        return true
    }

    /// The users with a logged-in session now.
    func authenticatedUsers() -> Set<String> {
        Set(entries.values.compactMap { $0.state.user?.name })
    }

    /// Applies the users' current permissions to their live sessions: a user the backend no
    /// longer knows is logged out and closed (1008), a user whose monitors changed sees the
    /// new set from the next alarm on.
    /// - Returns: the sessions closed and the sessions whose monitors changed.
    func revise(_ permissions: MonitorPermissions) -> (closed: Int, changed: Int) {
        var closed = 0
        var changed = 0
        for entry in entries.values {
            guard let user = entry.state.user else { continue }
            guard let monitors = permissions.current(for: user.name) else {
                entry.state.user = nil  // no more alarms, even before the peer answers the close
                entry.writer.close(.policyViolation, reason: "permissions revoked")
                closed += 1
                continue
            }
            if monitors != user.monitors {
                entry.state.user?.monitors = monitors
                changed += 1
            }
        }
        return (closed, changed)
    }

    /// Closes every connection with the given code (server shutdown).
    func closeAll(_ code: WebSocketErrorCode, reason: String) {
        for entry in entries.values { entry.writer.close(code, reason: reason) }
    }
}
