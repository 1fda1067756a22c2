/// The `[hook]` section: zmeventnotification's detection hooks as zmes's `hooks:` (docs/HOOKS.md).
extension EventNotificationMigration {
    /// The `hooks:` lines and what could not be carried over. The Perl server ran
    /// `event_start_hook eid mid "name" "cause" ["path"]` through a shell; zmes runs the same argv without one.
    func hookSection(_ take: (String, String) -> String?) -> (lines: [String], notes: [String]) {
        let start = take("hook", "event_start_hook").flatMap { $0.isEmpty ? nil : $0 } ?? take("hook", "hook_script").flatMap { $0.isEmpty ? nil : $0 }
        let end = take("hook", "event_end_hook").flatMap { $0.isEmpty ? nil : $0 }
        // The Perl server turns hooks on in [customize] (use_hooks, default no).
        guard Self.flag(take("customize", "use_hooks")) == true, start != nil || end != nil else {
            return ([], start == nil && end == nil ? [] : ["customize.use_hooks is not yes: the hooks were not carried over (set hooks.event_start to run one)"])
        }
        var lines = ["hooks:"]
        var notes: [String] = []
        let passPath = Self.flag(take("hook", "hook_pass_image_path")) ?? false
        let arguments = ["{eid}", "{mid}", "{name}", "{cause}"] + (passPath ? ["{path}"] : [])
        for (key, program) in [("event_start", start), ("event_end", end)] {
            guard let program else { continue }
            if program.contains(" ") || !program.hasPrefix("/") {
                notes.append("hook.\(key)_hook=\(program): zmes runs hooks without a shell; check that hooks.\(key) is the program's absolute path")
            }
            lines.append("  \(key): [\(([program] + arguments).map(Self.quoted).joined(separator: ", "))]")
        }
        for (perlKey, zmesKey) in [
            ("event_start_notify_on_hook_success", "start_notify_on_success"), ("event_start_notify_on_hook_fail", "start_notify_on_fail"),
            ("event_end_notify_on_hook_success", "end_notify_on_success"), ("event_end_notify_on_hook_fail", "end_notify_on_fail"),
        ] {
            guard let value = take("hook", perlKey) else { continue }
            let (channels, dropped) = Self.channels(value)
            lines.append("  \(zmesKey): [\(channels.joined(separator: ", "))]")
            if !dropped.isEmpty {
                notes.append("hook.\(perlKey)=\(value): \(dropped.joined(separator: ", ")) not carried over (zmes has no api push script; fcm is push, web is websocket)")
            }
        }
        if let flag = Self.flag(take("hook", "event_end_notify_if_start_success")) { lines.append("  end_notify_if_start_success: \(flag)") }
        if let flag = Self.flag(take("hook", "use_hook_description")) { lines.append("  use_description: \(flag)") }
        if let skip = take("hook", "hook_skip_monitors") {
            let ids = skip.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            lines.append("  skip_monitors: [\(ids.map(String.init).joined(separator: ", "))]")
        }
        if let parallel = take("hook", "max_parallel_hooks").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            if parallel > 0 {
                lines.append("  max_parallel: \(min(parallel, 64))")
            } else {
                notes.append("hook.max_parallel_hooks=\(parallel) (no limit): zmes runs at most hooks.max_parallel (2) hooks at once")
            }
        }
        return (lines, notes)
    }

    /// `all`, `none` or a list like `web,fcm,mqtt` as zmes channels; `api` (the Perl server's api_push_script) has none.
    static func channels(_ value: String) -> (channels: [String], dropped: [String]) {
        var channels: [String] = []
        var dropped: [String] = []
        for name in value.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            switch name {
            case "all": channels += ["websocket", "push", "mqtt"]
            case "none": break
            case "web": channels.append("websocket")
            case "fcm": channels.append("push")
            case "mqtt": channels.append("mqtt")
            default: dropped.append(name)
            }
        }
        var seen: Set<String> = []
        return (channels.filter { seen.insert($0).inserted }, dropped)
    }
}
