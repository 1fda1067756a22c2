import Foundation

/// A directory of hook scripts a test writes for itself, removed by the OS's temp cleanup.
struct HookScripts {
    let directory: String

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmes-hooks-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes an executable `/bin/sh` script named `name` and returns its path; `DIR` in `body` is this directory.
    func script(_ name: String, _ body: String) throws -> String {
        let path = directory + "/" + name
        try ("#!/bin/sh\n" + body.replacingOccurrences(of: "DIR", with: directory) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func read(_ name: String) -> String? { try? String(contentsOfFile: path(name), encoding: .utf8) }
}

/// Whether process `pid` is gone: no such process, or a zombie nobody has reaped yet (as in a container
/// whose first process does not reap).
func processGone(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state == "Z" || state == "X"
}
