import Foundation
import Model
import Storage

/// Pushes per minute by outcome as an SVG drawn on the server from the outbox: one line for delivered,
/// one for failed, over a window ending now. No script and no charting service; the numbers are also
/// in the chart's text alternative for screen readers.
struct PushChart {
    let title: String
    let minutes: Int
    let end: Date

    static let width = 600.0
    static let height = 160.0
    static let colors: [PushJobState: String] = [.delivered: "#1a7f37", .failed: "#cf222e"]

    func svg(_ counts: [OutcomeCount]) -> String {
        let last = Int(end.timeIntervalSince1970 / 60)
        let first = last - minutes + 1
        var series: [PushJobState: [Int]] = [.delivered: Array(repeating: 0, count: minutes), .failed: Array(repeating: 0, count: minutes)]
        for count in counts where (first...last).contains(count.minute) { series[count.state]?[count.minute - first] += count.count }
        let peak = max(1, series.values.flatMap { $0 }.max() ?? 1)
        let totals = [PushJobState.delivered, .failed].map { "\($0.rawValue) \(series[$0]?.reduce(0, +) ?? 0)" }.joined(separator: ", ")
        let label = "\(title): \(totals); at most \(peak) a minute"
        var out = """
            <svg role="img" aria-label="\(label)" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height + 20))" class="chart" xmlns="http://www.w3.org/2000/svg">
            <title>\(label)</title>
            <line x1="0" y1="\(Self.height)" x2="\(Self.width)" y2="\(Self.height)" stroke="#999"/>
            <text x="2" y="12" font-size="11">\(peak)/min</text>
            <text x="2" y="\(Int(Self.height + 15))" font-size="11">\(minutes >= 1_440 ? "24 h ago" : "\(minutes) min ago")</text>
            <text x="\(Int(Self.width - 2))" y="\(Int(Self.height + 15))" font-size="11" text-anchor="end">now</text>
            """
        for state in [PushJobState.delivered, .failed] {
            guard let values = series[state] else { continue }
            let step = Self.width / Double(max(1, minutes - 1))
            let points = values.enumerated().map { index, value in
                String(format: "%.1f,%.1f", Double(index) * step, Self.height - Double(value) / Double(peak) * (Self.height - 16))
            }
            out += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"\(Self.colors[state] ?? "#000")\" points=\"\(points.joined(separator: " "))\"/>"
        }
        return out + "</svg>"
    }
}
