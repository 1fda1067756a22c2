import Foundation

/// A benchmark run that cannot give a number: what went wrong, for standard error.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Monotonic seconds.
public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A line of progress on standard error.
public func log(_ text: String) {
    progress(text)
}

/// Runs blocking work on its own thread (not on the cooperative pool, which in-process mocks need).
public func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}

/// One machine-readable result line for Scripts/benchmarks.sh: name, value, unit, reference,
/// reference value, ratio, target, verdict, tab-separated.
public func summary(_ fields: String...) {
    print((["SUMMARY"] + fields).joined(separator: "\t"))
}
