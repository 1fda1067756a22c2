import Foundation

/// swift-corelibs-foundation's `Process.run()` can crash (a bad pointer in its copy of the
/// environment) when several threads launch processes at once; tests from many suites do.
/// Every test launch goes through this one lock.
private let launchLock = NSLock()

public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}
