import Model
import Yams

extension ConfigurationLoader {
    static let hookScalarKeys = [
        "hooks.timeout", "hooks.wait", "hooks.max_parallel", "hooks.end_notify_if_start_success", "hooks.use_description",
        "hooks.update_notes",
    ]
    static let hookListKeys = [
        "hooks.event_start", "hooks.event_end", "hooks.skip_monitors", "hooks.start_notify_on_success", "hooks.start_notify_on_fail",
        "hooks.end_notify_on_success", "hooks.end_notify_on_fail",
    ]
}

extension Reader {
    /// `hooks:` (docs/HOOKS.md); every list is a YAML list.
    func hooks() throws(ConfigurationError) -> Configuration.Hooks {
        var h = Configuration.Hooks()
        h.eventStart = try argv("hooks.event_start")
        h.eventEnd = try argv("hooks.event_end")
        h.timeout = try double("hooks.timeout", default: h.timeout, range: 1...86_400)
        h.wait = try double("hooks.wait", default: h.wait, range: 0...3_600)
        h.maxParallel = try int("hooks.max_parallel", default: h.maxParallel, range: 1...64)
        h.skipMonitors = Set(try list("hooks.skip_monitors", expected: "a list of monitor ids like [3, 5]") { Int($0).flatMap { $0 >= 0 ? $0 : nil } } ?? [])
        let channels = "a list of websocket, push and mqtt (or [] for none)"
        h.startNotifyOnSuccess = try Set(list("hooks.start_notify_on_success", expected: channels, { DeliveryChannel(rawValue: $0) }) ?? Array(h.startNotifyOnSuccess))
        h.startNotifyOnFail = try Set(list("hooks.start_notify_on_fail", expected: channels, { DeliveryChannel(rawValue: $0) }) ?? Array(h.startNotifyOnFail))
        h.endNotifyOnSuccess = try Set(list("hooks.end_notify_on_success", expected: channels, { DeliveryChannel(rawValue: $0) }) ?? Array(h.endNotifyOnSuccess))
        h.endNotifyOnFail = try Set(list("hooks.end_notify_on_fail", expected: channels, { DeliveryChannel(rawValue: $0) }) ?? Array(h.endNotifyOnFail))
        h.endNotifyIfStartSuccess = try bool("hooks.end_notify_if_start_success", default: h.endNotifyIfStartSuccess)
        h.useDescription = try bool("hooks.use_description", default: h.useDescription)
        h.updateNotes = try bool("hooks.update_notes", default: h.updateNotes)
        return h
    }

    /// A program and its arguments: `["/usr/bin/zm_detect.py", "--eventid", "{eid}"]`; the program is an absolute path
    /// (no shell and no `PATH` search).
    private func argv(_ key: String) throws(ConfigurationError) -> [String] {
        let expected = "a list like [\"/usr/bin/zm_detect.py\", \"--eventid\", \"{eid}\"] (the program, then its arguments)"
        guard let argv = try list(key, expected: expected, { $0 }) else { return [] }
        if let program = argv.first, !program.hasPrefix("/") {
            throw .invalidValue(key: key, reason: "the program must be an absolute path (hooks run without a shell), found '\(program)'")
        }
        return argv
    }

    /// A YAML list whose every entry `parse` accepts; nil when the key is not set.
    private func list<T>(_ key: String, expected: String, _ parse: (String) -> T?) throws(ConfigurationError) -> [T]? {
        guard let value = values[key] else { return nil }
        guard case .node(let node) = value, let sequence = node.sequence else {
            throw .wrongType(key: key, expected: expected, found: "something else")
        }
        var entries: [T] = []
        for (index, entry) in sequence.enumerated() {
            guard let text = entry.scalar?.string, let parsed = parse(text) else {
                throw .invalidValue(key: "\(key)[\(index)]", reason: "must be \(expected), found \(ConfigurationLoader.describe(entry))")
            }
            entries.append(parsed)
        }
        return entries
    }
}
