import CoreMetrics

/// Where zmes counts what it does (swift-metrics). Each server passes its own factory,
/// so several servers in one process (tests) never share counters.
public struct Telemetry: Sendable {
    public let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts nothing: for tools and tests that do not scrape.
    public static var disabled: Telemetry { Telemetry(factory: NOOPMetricsHandler.instance) }

    public func count(_ label: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        Counter(label: label, dimensions: dimensions, factory: factory).increment(by: amount)
    }

    public func time(_ label: String, _ dimensions: [(String, String)] = [], _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Timer(label: label, dimensions: dimensions, factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
