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
        var lastNotified: [Int: LastNotification] = [:]

        init(state: SessionState, writer: SessionWriter) {
            self.state = state
            self.writer = writer
        }
    }

    private var entries: [SessionID: Entry] = [:]
    /// The last event start routed per monitor by this process: an end on a monitor absent
    /// here closes an event that began before this process did (see `deliverToWebsocketOnly`).
    private var startsRouted: [Int: Int] = [:]
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

    /// Tokens that have an authenticated connection open right now, with the users logged in on them.
    func connectedTokens() -> [String: Set<String>] {
        var connected: [String: Set<String>] = [:]
        for entry in entries.values {
            guard let user = entry.state.user, let token = entry.state.deviceToken else { continue }
            connected[token, default: []].insert(user.name)
        }
        return connected
    }

    /// Sends the alarm over websockets, once per device and once per token-less connection.
    ///
    /// A connection only ever gets alarms its own user may see: one tied to a device gets
    /// the device's alarms only while its user owns the device (when `checksOwners`) and
    /// may see the monitor; one holding another user's token is served as a websocket-only
    /// client, by its own permissions and filter.
    ///
    /// - Parameters:
    ///   - owners: the owner of each token with a device row, at least among the connected
    ///     ones; a connection whose token is not in it is served as a websocket-only client.
    ///   - checksOwners: false when there are no accounts (auth off): every name is everyone.
    ///   - notified: devices the store decided to notify; `pushed` those of them that also got a push.
    /// - Returns: how many connections were sent the alarm.
    func deliver(
        _ alarm: Alarm, picture: String? = nil, owners: [String: String], checksOwners: Bool, notified: Set<String>, pushed: Set<String>,
        now: Date = Date()
    ) -> Int {
        var chosen: [String: Entry] = [:]  // one connection per token: the newest
        var tokenless: [Entry] = []
        tokenless.reserveCapacity(entries.count)
        for entry in entries.values {
            guard let user = entry.state.user else { continue }
            if let token = entry.state.deviceToken, !checksOwners || owners[token].map({ $0 == user.name }) ?? true {
                if let current = chosen[token], current.state.openedAt > entry.state.openedAt { continue }
                chosen[token] = entry
            } else {
                tokenless.append(entry)
            }
        }
        var sent = 0
        var wire = EncodedAlarm(alarm: alarm, picture: picture)
        var writes = EventLoopBatches()
        for (token, entry) in chosen {
            if owners[token] != nil {
                guard notified.contains(token), entry.state.user?.monitors.contains(alarm.monitorId) == true else { continue }
                writes.add(wire.frame(supplementary: pushed.contains(token)), to: entry.writer)
                sent += 1
            } else if deliverToWebsocketOnly(&wire, entry, now: now, into: &writes) {
                sent += 1
            }
        }
        for entry in tokenless where deliverToWebsocketOnly(&wire, entry, now: now, into: &writes) {
            sent += 1
        }
        writes.flush()
        if alarm.kind == .start { startsRouted[alarm.monitorId] = alarm.eventId }
        return sent
    }

    /// A client with no registered device: its own permissions, filter and in-memory interval.
    private func deliverToWebsocketOnly(_ wire: inout EncodedAlarm, _ entry: Entry, now: Date, into writes: inout EventLoopBatches) -> Bool {
        guard let user = entry.state.user else { return false }
        let alarm = wire.alarm
        let monitor = alarm.monitorId
        guard user.monitors.contains(monitor), entry.state.filter.allows(monitor: monitor) else { return false }
        let previous = entry.lastNotified[monitor]
        switch NotificationRule.decide(alarm, previous: previous, interval: entry.state.filter.interval(for: monitor), now: now) {
        case .send(let record):
            if let record { entry.lastNotified[monitor] = record }
        case .skip:
            // An end on a monitor where this process has routed no start yet closes the event in
            // progress when zmes (re)started: its start went out before, to connections that are
            // gone now, so its end goes to those that may see it. Once a start was routed here,
            // an end is only for the connections told of its start.
            guard alarm.kind == .end, previous == nil, startsRouted[monitor] == nil else { return false }
        }
        writes.add(wire.frame(supplementary: false), to: entry.writer)
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
