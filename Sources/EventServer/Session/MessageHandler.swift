import Foundation
import Logging
import Model
import NIOWebSocket
import Storage

/// Answers one connection's messages in order. Owns the connection's state;
/// the registry gets a copy whenever it changes.
struct MessageHandler: Sendable {
    let context: ServerContext
    let writer: SessionWriter
    var state: SessionState
    /// Set once a close has been sent: later frames are ignored.
    private(set) var isClosing = false

    init(context: ServerContext, state: SessionState, writer: SessionWriter) {
        self.context = context
        self.state = state
        self.writer = writer
    }

    var logger: Logger {
        var logger = context.logger
        logger[metadataKey: "session"] = "\(state.id)"
        logger[metadataKey: "peer"] = "\(state.address)"
        return logger
    }

    mutating func handleText(_ text: String) async {
        guard !isClosing else { return }
        guard text.utf8.count <= context.maxMessageSize else {
            logger.notice("message refused: too big", metadata: ["bytes": "\(text.utf8.count)"])
            reply(.fail("malformed", .tooBig))
            return
        }
        let frame: ClientFrame
        do {
            frame = try ClientFrame(text: text)
        } catch {
            logger.debug("message refused: not a protocol frame", metadata: ["error": "\(error)"])
            reply(.fail("malformed", .badJSON))
            return
        }
        if case .auth(let user, let password, let monlist, let intlist) = frame.message {
            await authenticate(frame: frame, user: user ?? "", password: password ?? "", monlist: monlist, intlist: intlist)
            return
        }
        guard let user = state.user else {
            reply(.fail(frame.event, .noAuth))
            return
        }
        switch frame.message {
        case .auth:
            break  // handled above
        case .version:
            reply(.version)
        case .filter(let monlist, let intlist):
            await applyFilter(monlist: monlist, intlist: intlist, user: user)
        case .registerToken(let platform, let token, let pushState, let monlist, let intlist):
            guard context.pushEnabled else { return reply(.fail("push", .pushDisabled)) }
            await register(
                platform: platform, token: token, pushState: pushState, monlist: monlist, intlist: intlist,
                appVersion: frame.appVersion, user: user)
        case .badge(let badge):
            guard context.pushEnabled else { return reply(.fail("push", .pushDisabled)) }
            await resetBadge(badge, token: frame.token, user: user)
        case .unsupported:
            if frame.event == "push" && !context.pushEnabled { return reply(.fail("push", .pushDisabled)) }
            reply(.fail(frame.event, .notSupported))
        }
    }

    mutating func handleBinary() {
        guard !isClosing else { return }
        logger.notice("binary frame refused")
        close(.unacceptableData, reason: "binary frames are not supported")
    }

    // MARK: - Messages

    private mutating func authenticate(frame: ClientFrame, user: String, password: String, monlist: JSONValue?, intlist: JSONValue?) async {
        // The attempt is counted before the password check, so concurrent guesses cannot all pass.
        // A remembered success needs no check, so it is not counted (a reconnect storm from
        // behind one address stays under the limits), but it is refused like any other while a
        // limit lasts.
        var reservation: AuthRateLimiter.Reservation?
        var remembered: AuthenticatedUser?
        if context.authRequired {
            do throws(AuthRateLimiter.Refusal) {
                if let refusal = await context.rateLimiter.refusal(address: state.address, user: user) { throw refusal }
                remembered = await context.auth.rememberedLogin(user: user, password: password)
                if remembered == nil { reservation = try await context.rateLimiter.reserve(address: state.address, user: user) }
            } catch {
                logger.warning(
                    "login refused: too many failures", metadata: ["user": "\(loggedText(user))", "by": "\(error == .address ? "address" : "user")"])
                context.telemetry.count("zmes_auth_failures_total", [("reason", "rate_limited")])
                reply(.fail("auth", .rateLimited))
                close(.policyViolation, reason: "RATELIMITED")
                return
            }
        }
        let result: AuthenticatedUser
        do {
            if let remembered {
                result = remembered
            } else {
                result = try await context.auth.authenticate(user: user, password: password)
            }
        } catch {
            switch error {
            case .badCredentials:
                logger.notice("login failed: bad credentials", metadata: ["user": "\(loggedText(user))"])
                context.telemetry.count("zmes_auth_failures_total", [("reason", "bad_credentials")])
            case .unavailable(let reason):
                logger.error("login failed: auth backend unavailable", metadata: ["user": "\(loggedText(user))", "reason": "\(reason)"])
                context.telemetry.count("zmes_auth_failures_total", [("reason", "backend_unavailable")])
            }
            reply(.fail("auth", .badAuth))
            close(.policyViolation, reason: "BADAUTH")
            return
        }
        if let reservation { await context.rateLimiter.release(reservation) }
        state.logIn(as: result)
        if let token = frame.token, !token.isEmpty, await mayTie(token, to: result) { state.token = token }
        await context.sessions.update(state)
        logger.info("login succeeded", metadata: ["user": "\(loggedText(result.name))", "device": "\(redactedToken(state.token ?? ""))"])
        reply(.authSuccess)
        if monlist != nil || intlist != nil {
            await applyFilter(monlist: monlist ?? .string(""), intlist: intlist ?? .string(""), user: result)
        }
        if let version = frame.appVersion, !version.isEmpty, let token = state.deviceToken {
            await updateAppVersion(version, token: token, user: result)
        }
    }

    private mutating func applyFilter(monlist: JSONValue?, intlist: JSONValue?, user: AuthenticatedUser) async {
        guard let monlistValue = monlist else { return reply(.fail("control", type: "filter", .noMonitorList)) }
        guard let intlistValue = intlist else { return reply(.fail("control", type: "filter", .noIntervalList)) }
        guard let filter = parseFilter(monlist: monlistValue, intlist: intlistValue, replyType: "filter") else { return }
        state.filter = filter
        await context.sessions.update(state)
        if let token = state.deviceToken, await ownedDevice(token: token, user: user) != nil {
            do {
                try await context.store.setFilter(filter, token: token)
            } catch {
                logger.error("could not store the device's filter", metadata: ["error": "\(error)"])
            }
        }
    }

    private mutating func register(
        platform: String?, token: String?, pushState: String?, monlist: JSONValue?, intlist: JSONValue?,
        appVersion: String?, user: AuthenticatedUser
    ) async {
        guard let platformText = platform, !platformText.isEmpty else {
            return reply(.fail("push", type: "token", .missingPlatform))
        }
        guard let token, !token.isEmpty else { return reply(.fail("push", type: "token", .missingToken)) }
        guard let platform = Platform(clientValue: platformText) else {
            return reply(.fail("push", type: "token", .badPlatform))
        }
        guard let pushState = pushState.map(PushState.init(clientValue:)) ?? .enabled else {
            return reply(.fail("push", type: "token", .badState))
        }
        if let problem = PushTokenFormat.problem(with: token) {
            logger.notice("device refused: not a push token", metadata: ["user": "\(loggedText(user.name))", "problem": "\(problem)"])
            return reply(.fail("push", type: "token", .badToken))
        }
        let existing = await storedDevice(token: token)
        let movedFrom = existing.flatMap { $0.user == user.name ? nil : $0.user }
        var filter: MonitorFilter?
        if monlist != nil || intlist != nil {
            guard let parsed = parseFilter(monlist: monlist ?? .string(""), intlist: intlist ?? .string(""), replyType: "token") else {
                return
            }
            filter = parsed
            state.filter = parsed
        } else if existing == nil || movedFrom != nil {
            filter = state.filter  // a new device, or one new to this user, starts with the connection's filter
        }
        do {
            try await context.store.register(
                DeviceRegistration(
                    token: token, user: user.name, platform: platform, state: pushState, filter: filter,
                    appVersion: appVersion ?? ""))
        } catch {
            logger.error("could not store the device", metadata: ["error": "\(error)"])
            return
        }
        state.token = token
        await context.sessions.update(state)
        if let movedFrom {
            // A phone that switched accounts: its token now serves the user who registered it.
            logger.notice(
                "device moved to another user",
                metadata: ["device": "\(redactedToken(token))", "from": "\(loggedText(movedFrom))", "to": "\(loggedText(user.name))"])
        }
        logger.info(
            "device registered",
            metadata: ["user": "\(loggedText(user.name))", "device": "\(redactedToken(token))", "platform": "\(platform.rawValue)", "state": "\(pushState.rawValue)"])
    }

    private mutating func resetBadge(_ badge: JSONValue?, token: String?, user: AuthenticatedUser) async {
        guard let value = badge?.integer, BadgeCount.range.contains(value) else {
            return reply(.fail("push", type: "badge", .badBadge))
        }
        let target = token.flatMap { $0.isEmpty ? nil : $0 } ?? state.deviceToken
        guard let target, await ownedDevice(token: target, user: user) != nil else {
            logger.debug("badge reset for no device of this user ignored")
            return
        }
        do {
            try await context.store.setBadge(value, token: target)
        } catch {
            logger.error("could not store the badge", metadata: ["error": "\(error)"])
        }
    }

    private func updateAppVersion(_ version: String, token: String, user: AuthenticatedUser) async {
        guard let device = await ownedDevice(token: token, user: user), device.appVersion != version else { return }
        do {
            try await context.store.register(
                DeviceRegistration(
                    token: token, user: device.user, platform: device.platform, state: device.state, filter: nil,
                    appVersion: version))
        } catch {
            logger.error("could not store the app version", metadata: ["device": "\(redactedToken(token))", "error": "\(error)"])
        }
    }

    // MARK: - Helpers

    /// Whether `auth`'s top-level token may tie this connection to that device: only to a
    /// device of the user's own (or one not registered yet; delivery checks the owner again).
    private func mayTie(_ token: String, to user: AuthenticatedUser) async -> Bool {
        guard PushTokenFormat.isValid(token) else {
            logger.notice("auth token ignored: not a push token", metadata: ["user": "\(loggedText(user.name))"])
            return false
        }
        let device: Device?
        do {
            device = try await context.store.device(token: token)
        } catch {
            // Without the owner zmes cannot tell whose device it is: do not tie it.
            logger.error("auth token ignored: cannot read the device", metadata: ["device": "\(redactedToken(token))", "error": "\(error)"])
            return false
        }
        guard let device else { return true }
        guard context.authRequired, device.user != user.name else { return true }
        logger.notice(
            "auth token ignored: the device belongs to another user",
            metadata: ["user": "\(loggedText(user.name))", "owner": "\(loggedText(device.user))", "device": "\(redactedToken(token))"])
        return false
    }

    private func ownedDevice(token: String, user: AuthenticatedUser) async -> Device? {
        guard let device = await storedDevice(token: token) else { return nil }
        return !context.authRequired || device.user == user.name ? device : nil
    }

    /// The stored device, or nil when there is none or the store cannot be read (logged: a store error is not "no device").
    private func storedDevice(token: String) async -> Device? {
        do {
            return try await context.store.device(token: token)
        } catch {
            logger.error("cannot read the device", metadata: ["device": "\(redactedToken(token))", "error": "\(error)"])
            return nil
        }
    }

    private func parseFilter(monlist: JSONValue, intlist: JSONValue, replyType: String) -> MonitorFilter? {
        let event = replyType == "filter" ? "control" : "push"
        guard let monitors = monlist.text else {
            reply(.fail(event, type: replyType, .badMonitorList))
            return nil
        }
        guard let intervals = intlist.text else {
            reply(.fail(event, type: replyType, .badIntervalList))
            return nil
        }
        do {
            return try MonitorFilter(monlist: monitors, intlist: intervals)
        } catch {
            switch error {
            case .badMonitorList: reply(.fail(event, type: replyType, .badMonitorList))
            case .badIntervalList: reply(.fail(event, type: replyType, .badIntervalList))
            }
            return nil
        }
    }

    private func reply(_ reply: Reply) {
        writer.send(text: WireEncoding.text(reply))
    }

    private mutating func close(_ code: WebSocketErrorCode, reason: String) {
        isClosing = true
        writer.close(code, reason: reason)
    }
}
