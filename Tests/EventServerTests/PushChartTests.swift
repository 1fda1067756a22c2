import Foundation
import Model
import Storage
import Testing

@testable import EventServer

@Suite("Push chart")
struct PushChartTests {
    @Test("the chart draws each outcome per minute of its window and says the totals in its text alternative")
    func chart() {
        let end = Date(timeIntervalSince1970: 1_800_000_000)
        let now = Int(end.timeIntervalSince1970 / 60)
        let counts = [
            OutcomeCount(minute: now, state: .delivered, count: 4), OutcomeCount(minute: now - 5, state: .delivered, count: 2),
            OutcomeCount(minute: now - 1, state: .failed, count: 1), OutcomeCount(minute: now - 90, state: .delivered, count: 50),
        ]
        let svg = PushChart(title: "Last hour", minutes: 60, end: end).svg(counts)
        #expect(svg.contains("aria-label=\"Last hour: delivered 6, failed 1; at most 4 a minute\""))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        // The last point of the delivered line is the peak (top), of the failed line the baseline.
        #expect(svg.contains("600.0,16.0\"/>"))
        let day = PushChart(title: "Last day", minutes: 1_440, end: end).svg(counts)
        #expect(day.contains("delivered 56, failed 1; at most 50 a minute"))
    }
}
