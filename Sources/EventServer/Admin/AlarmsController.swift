import Hummingbird
import Model

/// `POST /api/v1/alarms`: an alarm from a script or `zmes alarm`, routed like one from ZoneMinder (detection
/// hooks included: the answer comes after at most `hooks.wait`).
struct AlarmsController: Sendable {
    let routing: HookedRouting
    let completeAlarm: @Sendable (Alarm) -> Alarm

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.post(use: post)
    }

    @Sendable func post(request: Request, context: AdminRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1_024)
        let alarm: Alarm
        do {
            alarm = completeAlarm(try AlarmRequest.decode(body))
        } catch {
            return jsonResponse(.badRequest, ["error": error.message])
        }
        return jsonResponse(.accepted, try await routing.route(alarm))
    }
}
