import Foundation
import Model

/// A `Detection` in the outbox's `detection` column: its JSON, so a push sent or replayed later
/// carries what the hook found when the alarm was routed.
enum StoredDetection {
    static func text(_ detection: Detection) -> String? {
        (try? JSONEncoder().encode(detection)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A column that does not decode (written by a later zmes) reads as no detection, not as a broken job.
    static func detection(_ column: String?) -> Detection? {
        guard let column else { return nil }
        return try? JSONDecoder().decode(Detection.self, from: Data(column.utf8))
    }
}
