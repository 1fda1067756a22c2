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

    /// A timer to keep and record into on a hot path: making one is a registry lookup under a lock.
    public func timer(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        Timer(label: label, dimensions: dimensions, factory: factory)
    }

    public func time(_ label: String, _ dimensions: [(String, String)] = [], _ duration: Duration) {
        timer(label, dimensions).record(duration)
    }
}

extension CoreMetrics.Timer {
    public func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
