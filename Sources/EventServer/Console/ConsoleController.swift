import CurlClient
import Foundation
import HTTPTypes
import Hummingbird
import Model
import NIOCore
import PushDispatcher
import Storage

/// The operators' console on the admin listener (`/`, `/login`, `/pushes`), rendered on the server.
/// Access: a session cookie (`HttpOnly`, `SameSite=Strict`) made by logging in as a local user with the
/// admin role, or with `admin.token`; every form carries the session's CSRF token; failed logins count
/// against the same limits as websocket logins (docs/CONSOLE.md).
struct ConsoleController: Sendable {
    let context: ServerContext
    let dispatcher: Dispatcher
    /// Signs the recent events' picture links on the monitors page; nil unless `pictures.enabled`.
    let pictures: PictureLinks?
    let sessions: ConsoleSessions
    let pages: ConsolePages
    /// The cookie is `Secure` (sent over HTTPS only) when the admin listener speaks TLS.
    let secureCookies: Bool
    /// Puts the store's credentials to use in the running server, as SIGHUP does.
    let reloadCredentials: @Sendable () async -> Void

    static let cookieName = "zmes_console"

    func addRoutes(to routes: Router<AdminRequestContext>) {
        routes.get("/login") { _, _ in html(pages.render("login", ["title": "Log in"])) }
        routes.post("/login", use: login)
        routes.post("/logout") { request, _ in
            try await withOperator(request, form: true) { _, id, _ in
                await sessions.end(id: id)
                return redirect(to: "/login", cookie: "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
            }
        }
        routes.get("/") { request, _ in try await withOperator(request, form: false) { session, _, _ in try await overview(session) } }
        routes.get("/pushes") { request, _ in
            try await withOperator(request, form: false) { session, _, _ in try await pushes(request, session) }
        }
        routes.get("/devices") { request, _ in
            try await withOperator(request, form: false) { session, _, _ in try await devices(request, session) }
        }
        routes.post("/devices/disable") { request, _ in
            try await withOperator(request, form: true) { _, _, fields in
                try await context.store.setPushState(.disabled, token: fields["token"] ?? "")
                return redirect(to: "/devices")
            }
        }
        routes.post("/devices/remove") { request, _ in
            try await withOperator(request, form: true) { _, _, fields in
                try await context.store.removeDevice(token: fields["token"] ?? "")
                return redirect(to: "/devices")
            }
        }
        routes.get("/users") { request, _ in
            try await withOperator(request, form: false) { session, _, _ in try await users(session) }
        }
        routes.post("/users/remove") { request, _ in
            try await withOperator(request, form: true) { session, _, fields in
                let name = fields["name"] ?? ""
                try? await context.store.removeUser(named: name)
                context.logger.notice("user removed from the console", metadata: ["user": "\(loggedText(name))", "by": "\(loggedText(session.operatorName))"])
                return redirect(to: "/users")
            }
        }
        routes.get("/credentials") { request, _ in
            try await withOperator(request, form: false) { session, _, _ in
                let added = request.uri.queryParameters["added"].map { "Added \($0); zmes uses them now." }
                return try await credentials(request, session, probed: [:], message: added)
            }
        }
        routes.post("/credentials/upload") { request, _ in
            // A multipart form: its CSRF token is checked in `upload`, before anything is saved.
            try await withOperator(request, form: false) { session, _, _ in try await upload(request, session) }
        }
        routes.post("/credentials/probe") { request, _ in
            try await withOperator(request, form: true) { session, _, fields in
                try await credentials(request, session, probed: [fields["name"] ?? "": true])
            }
        }
        routes.get("/changes") { request, _ in
            try await withOperator(request, form: false) { _, _, _ in ConsoleChanges.stream(context.store) }
        }
        routes.get("/console.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleChanges.script)))
        }
        routes.get("/monitors") { request, _ in
            try await withOperator(request, form: false) { session, _, _ in try await monitors(request, session) }
        }
        routes.post("/monitors/mute") { request, _ in
            try await withOperator(request, form: true) { _, _, fields in
                guard let monitor = fields["monitor"].flatMap(Int.init), MonitorMute.monitorIds.contains(monitor),
                    let minutes = fields["minutes"].flatMap(Int.init), (1...(MonitorMute.longest / 60)).contains(minutes)
                else { return redirect(to: "/monitors?error=1") }
                try await context.store.muteMonitor(monitor, until: Date().addingTimeInterval(TimeInterval(minutes * 60)))
                context.logger.notice("monitor muted from the console", metadata: ["monitor": "\(monitor)", "minutes": "\(minutes)"])
                return redirect(to: "/monitors")
            }
        }
        routes.post("/monitors/:id/unmute") { request, requestContext in
            try await withOperator(request, form: true) { _, _, _ in
                if let monitor = requestContext.parameters.get("id").flatMap(Int.init) { try await context.store.unmuteMonitor(monitor) }
                return redirect(to: "/monitors")
            }
        }
        routes.post("/pushes/:id/replay") { request, requestContext in
            try await withOperator(request, form: true) { _, _, _ in
                guard let id = requestContext.parameters.get("id").flatMap(Int64.init) else { return redirect(to: "/pushes") }
                return try await replay(ids: [id])
            }
        }
        routes.post("/pushes/replay-selected") { request, _ in
            // Each ticked row sends `push-<id>=on`.
            try await withOperator(request, form: true) { _, _, fields in
                try await replay(ids: fields.keys.compactMap { $0.hasPrefix("push-") ? Int64($0.dropFirst(5)) : nil })
            }
        }
        routes.post("/pushes/replay-failed") { request, _ in
            try await withOperator(request, form: true) { _, _, fields in
                let since = PushFilter { fields[$0] }.start(now: Date())
                return try await replay(since: since)
            }
        }
    }

    // MARK: - Access

    @Sendable func login(request: Request, requestContext: AdminRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        let user = form["user"] ?? ""
        let password = form["password"] ?? ""
        let refused = html(pages.render("login", ["title": "Log in", "message": "Wrong user or password, or not an operator."]), status: .unauthorized)
        let reservation: AuthRateLimiter.Reservation
        do {
            reservation = try await context.rateLimiter.reserve(address: clientAddress(request, requestContext), user: user.isEmpty ? "admin.token" : user)
        } catch {
            return html(pages.render("login", ["title": "Log in", "message": "Too many failed logins; try again later."]), status: .tooManyRequests)
        }
        guard let operatorName = await check(user: user, password: password) else {
            context.logger.warning("console login refused", metadata: ["user": "\(loggedText(user))"])
            return refused
        }
        await context.rateLimiter.release(reservation)
        let (id, _) = await sessions.start(operatorName: operatorName)
        context.logger.notice("console login", metadata: ["operator": "\(loggedText(operatorName))"])
        return redirect(to: "/", cookie: "\(Self.cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : ""))
    }

    /// The client's address as websocket logins count it: the peer, or behind a trusted proxy its `X-Forwarded-For`.
    private func clientAddress(_ request: Request, _ requestContext: AdminRequestContext) -> String {
        ClientAddressResolver(trustedProxies: context.configuration.server.trustedProxies).clientAddress(
            peer: requestContext.remoteAddress?.ipAddress ?? "unknown",
            forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])
    }

    /// The operator's name if the login is good: a local admin user's password, or `admin.token` with no user.
    private func check(user: String, password: String) async -> String? {
        if user.isEmpty {
            let token = context.configuration.admin.token
            return !token.isEmpty && constantTimeEqual(password.utf8, token.utf8) ? "admin.token" : nil
        }
        guard let stored = try? await context.store.user(named: user), stored.isAdmin,
            await PasswordHasher.verify(password, hash: stored.passwordHash)
        else { return nil }
        return stored.name
    }

    /// Runs `page` for a logged-in operator; others go to the login page. A form must carry the
    /// session's CSRF token, or it is refused with 403 and changes nothing.
    private func withOperator(
        _ request: Request, form: Bool, _ page: (ConsoleSessions.Session, String, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let id = Self.cookie(Self.cookieName, in: request), let session = await sessions.session(id: id) else {
            return redirect(to: "/login")
        }
        var fields: [String: String] = [:]
        if form {
            fields = try await Self.form(request)
            guard let given = fields["csrf"], Self.isSessionsForm(csrf: given, session) else { return refusedForm() }
        }
        return try await page(session, id, fields)
    }

    private static func isSessionsForm(csrf given: String, _ session: ConsoleSessions.Session) -> Bool {
        constantTimeEqual(given.utf8, session.csrfToken.utf8)
    }

    private func refusedForm() -> Response {
        html(pages.render("login", ["title": "Refused", "message": "This form is not from this session (CSRF token missing or wrong)."]), status: .forbidden)
    }

    /// A credentials file uploaded with its key files: registered whole and put to use at once, or refused
    /// whole with the reason `zmes credentials add` would give.
    private func upload(_ request: Request, _ session: ConsoleSessions.Session) async throws -> Response {
        let upload: CredentialsUpload
        do {
            upload = try await CredentialsUpload.read(request)
        } catch {
            return try await credentials(request, session, probed: [:], message: "Nothing was added: \(error).", status: .badRequest)
        }
        guard Self.isSessionsForm(csrf: upload.csrf, session) else { return refusedForm() }
        guard upload.credentialsFile != nil else {
            return try await credentials(
                request, session, probed: [:], message: "Nothing was added: \(CredentialsUpload.Failure.noCredentialsFile).", status: .badRequest)
        }
        let added: [ProviderCredential]
        do {
            added = try upload.credentials()
        } catch {
            return try await credentials(request, session, probed: [:], message: "Nothing was added: \(error).", status: .badRequest)
        }
        try await CredentialSet.register(added, in: context.store)
        let names = added.map { "\($0.provider.rawValue) '\($0.name)'" }.joined(separator: ", ")
        context.logger.notice("credentials added from the console", metadata: ["credentials": "\(loggedText(names))", "by": "\(loggedText(session.operatorName))"])
        await reloadCredentials()
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "added", value: names)]
        return redirect(to: "/credentials?" + (query.percentEncodedQuery ?? ""))
    }

    // MARK: - Pages

    private func overview(_ session: ConsoleSessions.Session) async throws -> Response {
        let counts = try await context.store.outboxCounts()
        let broken = try await context.store.brokenCredentials()
        let live = try await ConsoleChanges.state(context.store)
        let now = Date()
        let outcomes = try await context.store.outcomesPerMinute(since: now.addingTimeInterval(-86_400))
        let credentials = try await context.store.credentials().map { credential -> [String: Any] in
            ["name": credential.name, "provider": credential.provider.rawValue, "health": broken[credential.name].map { "broken: \($0)" } ?? "ok"]
        }
        let devices = try await context.store.devices()
        let kinds = Dictionary(grouping: devices) { "\($0.platform.rawValue), \($0.state.rawValue)" }
        let names = context.configuration.zoneminder.monitorNames
        let lastAlarms = try await context.store.recentEvents().values.joined().sorted { $0.time > $1.time }.prefix(10)
        return html(
            pages.render(
                "overview",
                layout(session, title: "Overview", current: "overviewPage", live: live).merging([
                    "sessions": await context.sessions.count,
                    "loggedIn": await context.sessions.authenticatedCount,
                    "devices": devices.count,
                    "deviceKinds": kinds.keys.sorted().map { ["kind": $0, "count": kinds[$0]?.count ?? 0] },
                    "lastAlarms": lastAlarms.map { event -> [String: Any] in
                        [
                            "time": event.time.formatted(date: .abbreviated, time: .standard), "monitor": event.monitorId,
                            "name": names[event.monitorId] ?? "", "event": event.eventId, "cause": event.cause,
                        ]
                    },
                    "outbox": PushJobState.allCases.map { ["state": $0.rawValue, "count": counts[$0] ?? 0] },
                    "credentials": credentials,
                    "hourChart": PushChart(title: "Pushes per minute, last hour", minutes: 60, end: now).svg(outcomes),
                    "dayChart": PushChart(title: "Pushes per minute, last day", minutes: 1_440, end: now).svg(outcomes),
                ]) { $1 }))
    }

    private func pushes(_ request: Request, _ session: ConsoleSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters
        let filter = PushFilter { name in query[Substring(name)].map(String.init) }
        // The counts first: a change after them (while the list is read) still reloads the page.
        let live = try await ConsoleChanges.state(context.store)
        let jobs = try await context.store.pushJobs(matching: filter.query(now: Date()), limit: 500)
        var values = layout(session, title: "Pushes", current: "pushesPage", live: live)
        values["states"] = ([nil] + PushJobState.allCases).map { option -> [String: Any] in
            ["value": option?.rawValue ?? "", "label": option?.rawValue ?? "all", "selected": option == filter.state]
        }
        values["providers"] = ([nil] + PushProvider.allCases).map { option -> [String: Any] in
            ["value": option?.rawValue ?? "", "label": option?.rawValue ?? "all", "selected": option == filter.provider]
        }
        values["windows"] = PushFilter.windows.map { window -> [String: Any] in
            ["value": window.seconds.map(String.init) ?? "", "label": window.label, "selected": window.seconds == filter.since]
        }
        values["device"] = filter.devicePrefix
        // On a shared store, the instance holding each claimed job (one that died keeps it until push.claim_lease).
        let shared = context.store.coordination.isShared
        let claimants = shared ? try await context.store.claimants(of: jobs.filter { $0.state == .queued || $0.state == .retrying }.map(\.id)) : [:]
        values["shared"] = shared
        values["jobs"] = jobs.map { job -> [String: Any] in
            let failed: Bool = job.state == .failed
            let created: String = job.createdAt.formatted(date: .abbreviated, time: .standard)
            return [
                "id": job.id, "state": job.state.rawValue, "provider": job.provider.rawValue, "device": String(job.token.prefix(12)) + "…",
                "event": "\(job.alarm.monitorName) #\(job.alarm.eventId)", "reason": job.lastError ?? "", "failed": failed,
                "created": created, "csrf": session.csrfToken, "shared": shared, "heldBy": claimants[job.id] ?? "",
            ]
        }
        values["anyFailed"] = jobs.contains { $0.state == PushJobState.failed }
        if let replayed = request.uri.queryParameters["replayed"].flatMap({ Int(String($0)) }) {
            values["message"] = replayed == 0 ? "No failed push was chosen; nothing replayed." : "\(replayed) push\(replayed == 1 ? " is" : "es are") queued again."
        }
        return html(pages.render("pushes", values))
    }

    /// Queues failed pushes again (`Store.replay`, as `zmes push replay` does) and says how many.
    private func replay(ids: [Int64]? = nil, since: Date? = nil) async throws -> Response {
        if let ids, ids.isEmpty { return redirect(to: "/pushes?replayed=0") }
        let replayed = try await context.store.replay(ids: ids, since: since)
        dispatcher.wake()
        return redirect(to: "/pushes?replayed=\(replayed.count)")
    }

    /// Devices whose token starts with, or whose user is, the query; at most 500.
    private func devices(_ request: Request, _ session: ConsoleSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        let platform = request.uri.queryParameters["platform"].flatMap { Platform(rawValue: String($0)) }
        let found = try await context.store.devices().filter { device in
            (query.isEmpty || device.token.hasPrefix(query) || device.user == query) && (platform == nil || device.platform == platform)
        }
        var values = layout(session, title: "Devices", current: "devicesPage")
        values["query"] = query
        values["platforms"] = ([nil] + Platform.allCases).map { option -> [String: Any] in
            ["value": option?.rawValue ?? "", "label": option?.rawValue ?? "all", "selected": option == platform]
        }
        values["devices"] = found.prefix(500).map { device -> [String: Any] in
            [
                "token": device.token, "shortToken": String(device.token.prefix(12)) + "…", "user": device.user,
                "platform": device.platform.rawValue, "state": device.state.rawValue, "enabled": device.state == .enabled,
                "badge": device.badge, "monitors": device.filter.monlist.isEmpty ? "all" : device.filter.monlist,
                "intervals": device.filter.intlist, "csrf": session.csrfToken,
                "lastPush": device.lastPushAt.map { $0.formatted(date: .abbreviated, time: .shortened) } ?? "never",
            ]
        }
        return html(pages.render("devices", values))
    }

    private func users(_ session: ConsoleSessions.Session) async throws -> Response {
        var values = layout(session, title: "Users", current: "usersPage")
        values["users"] = try await context.store.users().map { user -> [String: Any] in
            [
                "name": user.name, "monitors": user.monitors.list ?? "all", "admin": user.isAdmin ? "yes" : "no",
                "created": user.createdAt.formatted(date: .abbreviated, time: .omitted), "csrf": session.csrfToken,
            ]
        }
        return html(pages.render("users", values))
    }

    /// Every credential with its health (`CredentialCheck`, as `zmes credentials verify`); the one named in
    /// `probed` gets one real call to its provider, as `--probe` does.
    private func credentials(
        _ request: Request, _ session: ConsoleSessions.Session, probed: [String: Bool], message: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let set = try await CredentialSet.load(from: context.store)
        // A libcurl client only for a probe: drawing the page calls no provider.
        let client = probed.isEmpty ? nil : CurlClient()
        defer { client?.shutdown() }
        var rows: [[String: Any]] = []
        for credential in set.credentials {
            let verdict = try await CredentialCheck.run(
                credential, brokenReason: set.broken[credential.name], probeClient: probed[credential.name] == true ? client : nil,
                store: context.store)
            rows.append([
                "name": credential.name, "provider": credential.provider.rawValue, "summary": credential.summary,
                "health": verdict.text, "csrf": session.csrfToken,
            ])
        }
        var values = layout(session, title: "Credentials", current: "credentialsPage")
        values["credentials"] = rows
        if let message { values["message"] = message }
        return html(pages.render("credentials", values), status: status)
    }

    /// The monitors of `zoneminder.monitors` and any muted now, each with its mute.
    private func monitors(_ request: Request, _ session: ConsoleSessions.Session) async throws -> Response {
        let mutes = try await context.store.monitorMutes()
        let recent = pictures == nil ? [:] : try await context.store.recentEvents()
        var names = context.configuration.zoneminder.monitorNames
        for id in Set(mutes.keys).union(recent.keys) where names[id] == nil { names[id] = "" }
        var values = layout(session, title: "Monitors", current: "monitorsPage")
        values["monitors"] = names.keys.sorted().map { id -> [String: Any] in
            [
                "id": id, "name": names[id] ?? "", "muted": mutes[id] != nil, "csrf": session.csrfToken,
                "mutedUntil": mutes[id].map { $0.until.formatted(date: .abbreviated, time: .shortened) } ?? "not muted",
                "events": (recent[id] ?? []).map { event -> [String: Any] in
                    let alarm = Alarm(monitorId: event.monitorId, monitorName: names[id] ?? "", eventId: event.eventId, cause: event.cause)
                    return [
                        "eventId": event.eventId, "cause": event.cause, "time": event.time.formatted(date: .omitted, time: .shortened),
                        "picture": pictures?.url(for: alarm) ?? "",
                    ]
                },
            ]
        }
        if request.uri.queryParameters["error"] != nil { values["message"] = "Choose a monitor and a time." }
        return html(pages.render("monitors", values))
    }

    /// The layout's values; `live` pages reload themselves when the outbox changes (`ConsoleChanges`).
    private func layout(_ session: ConsoleSessions.Session, title: String, current: String, live: String? = nil) -> [String: Any] {
        var values: [String: Any] = ["title": title, "operator": session.operatorName, "csrf": session.csrfToken, current: true]
        if let live { values["live"] = live }
        return values
    }

    // MARK: - HTTP

    private func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // Nothing from elsewhere: no scripts but the page's own, no framing by other sites.
                .contentSecurityPolicy:
                    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
                    + (pictures.map { "; img-src \($0.publicURL)" } ?? ""),
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func redirect(to location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// An `application/x-www-form-urlencoded` body, at most 64 KiB.
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}
