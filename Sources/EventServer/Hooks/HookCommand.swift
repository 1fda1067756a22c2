import Model

/// A hook's argv for one alarm: each placeholder (`{eid} {mid} {name} {cause} {path}`) replaced inside each
/// argument, in one pass, so a monitor named `{path}` or `$(touch pwned)` stays that text: no shell ever reads it.
enum HookCommand {
    static func arguments(_ argv: [String], for alarm: Alarm, path: String) -> [String] {
        let values = [
            "eid": String(alarm.eventId), "mid": String(alarm.monitorId), "name": alarm.monitorName, "cause": alarm.cause, "path": path,
        ]
        return argv.map { substitute($0, values) }
    }

    private static func substitute(_ argument: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = argument[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let value = values[String(rest[afterOpen..<close])] {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += "{"
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }
}
