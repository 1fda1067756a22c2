import Foundation

/// Reads a `--since` value: an ISO 8601 time, the form `zmes push list` prints.
func parseSince(_ text: String?) throws -> Date? {
    guard let text else { return nil }
    guard let date = ISO8601DateFormatter().date(from: text) else {
        throw CommandFailure("--since must be an ISO 8601 time such as 2026-11-24T10:00:00Z")
    }
    return date
}
