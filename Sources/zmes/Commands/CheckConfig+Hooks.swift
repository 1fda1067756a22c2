import EventServer
import Model

extension CheckConfig {
    /// The `hooks:` section as `check-config` prints it.
    static func hooksSection(_ h: Configuration.Hooks) -> String {
        func quoted(_ list: [String]) -> String { "[" + list.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        func channels(_ set: Set<DeliveryChannel>) -> String {
            "[" + DeliveryChannel.allCases.filter(set.contains).map(\.rawValue).joined(separator: ", ") + "]"
        }
        return """
            hooks:
              event_start: \(quoted(h.eventStart))
              event_end: \(quoted(h.eventEnd))
              timeout: \(h.timeout)
              wait: \(h.wait)
              max_parallel: \(h.maxParallel)
              skip_monitors: [\(h.skipMonitors.sorted().map(String.init).joined(separator: ", "))]
              start_notify_on_success: \(channels(h.startNotifyOnSuccess))
              start_notify_on_fail: \(channels(h.startNotifyOnFail))
              end_notify_on_success: \(channels(h.endNotifyOnSuccess))
              end_notify_on_fail: \(channels(h.endNotifyOnFail))
              end_notify_if_start_success: \(h.endNotifyIfStartSuccess)
              use_description: \(h.useDescription)
              update_notes: \(h.updateNotes)
            """
    }
}
