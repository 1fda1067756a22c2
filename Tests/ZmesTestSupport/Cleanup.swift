/// Runs `body`, then `cleanup`, awaited, whether or not `body` threw: what a `defer` would do if it
/// could await. A failing `cleanup` fails the call only when `body` succeeded; otherwise `body`'s
/// error is the one that tells what went wrong.
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async throws -> Void) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        try? await cleanup()
        throw error
    }
    try await cleanup()
    return result
}
