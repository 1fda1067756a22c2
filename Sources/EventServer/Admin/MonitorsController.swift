import Foundation
import Hummingbird
import Storage

/// `GET /api/v1/monitors/mutes` lists the mutes in force; `POST /api/v1/monitors/ID/mute` with
/// `{"seconds":7200}` mutes a monitor; `DELETE /api/v1/monitors/ID/mute` ends it. The same store rows
/// as `zmes monitor mute`, read by the alarm router at each alarm.
struct MonitorsController: Sendable {
    let store: any Store

    struct MuteRequest: Decodable {
        var seconds: Int
    }

    struct MuteReply: Encodable {
        var monitorId: Int
        var until: Date?
    }

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("mutes", use: list)
        group.post(":id/mute", use: mute)
        group.delete(":id/mute", use: unmute)
    }

    @Sendable func list(request: Request, context: AdminRequestContext) async throws -> Response {
        let mutes = try await store.monitorMutes().values.sorted { $0.monitorId < $1.monitorId }
        return jsonResponse(.ok, mutes)
    }

    @Sendable func mute(request: Request, context: AdminRequestContext) async throws -> Response {
        guard let monitor = Self.monitorId(context) else { return Self.badMonitor }
        let body = try await request.body.collect(upTo: 4_096)
        guard let mute = try? JSONDecoder().decode(MuteRequest.self, from: Data(body.readableBytesView)),
            (1...MonitorMute.longest).contains(mute.seconds)
        else {
            return jsonResponse(.badRequest, ["error": "the body must be {\"seconds\":N} with N from 1 to \(MonitorMute.longest) (365 days)"])
        }
        let until = Date().addingTimeInterval(TimeInterval(mute.seconds))
        try await store.muteMonitor(monitor, until: until)
        return jsonResponse(.ok, MuteReply(monitorId: monitor, until: until))
    }

    @Sendable func unmute(request: Request, context: AdminRequestContext) async throws -> Response {
        guard let monitor = Self.monitorId(context) else { return Self.badMonitor }
        try await store.unmuteMonitor(monitor)
        return jsonResponse(.ok, MuteReply(monitorId: monitor, until: nil))
    }

    private static func monitorId(_ context: AdminRequestContext) -> Int? {
        guard let text = context.parameters.get("id"), let id = Int(text), MonitorMute.monitorIds.contains(id) else { return nil }
        return id
    }

    private static var badMonitor: Response { jsonResponse(.badRequest, ["error": "the monitor id must be a whole number from 0"]) }
}
