import Foundation
import Hummingbird
import Model
import PushDispatcher
import Storage

/// `GET /api/v1/pushes` lists the outbox; `POST /api/v1/pushes/replay` puts failed pushes back into it.
struct PushesController: Sendable {
    let store: any Store
    let dispatcher: Dispatcher

    /// The replay body: `{"ids":[...]}` or `{"allFailed":true}`.
    struct ReplayRequest: Decodable {
        var ids: [Int64]?
        var allFailed: Bool?
    }

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get(use: list)
        group.post("replay", use: replay)
    }

    @Sendable func list(request: Request, context: AdminRequestContext) async throws -> Response {
        var state: PushJobState?
        if let text = request.uri.queryParameters["state"].map(String.init) {
            guard let parsed = PushJobState(rawValue: text) else {
                return jsonResponse(.badRequest, ["error": "state must be queued, retrying, delivered or failed"])
            }
            state = parsed
        }
        let jobs = try await store.pushJobs(state: state)
        return jsonResponse(.ok, jobs.map(PushJobListing.init))
    }

    @Sendable func replay(request: Request, context: AdminRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let usage = "the body must be {\"ids\":[...]} or {\"allFailed\":true}"
        guard let replay = try? JSONDecoder().decode(ReplayRequest.self, from: Data(body.readableBytesView)) else {
            return jsonResponse(.badRequest, ["error": usage])
        }
        let jobs: [PushJob]
        if let ids = replay.ids {
            jobs = try await store.replay(ids: ids)
        } else if replay.allFailed == true {
            jobs = try await store.replay()
        } else {
            return jsonResponse(.badRequest, ["error": usage])
        }
        dispatcher.wake()
        return jsonResponse(.ok, ["replayed": jobs.count])
    }
}
