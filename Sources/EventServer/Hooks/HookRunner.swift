import Logging
import Model
import PushDispatcher

/// Runs hooks for alarms: at most `max_parallel` at once (others queue, up to `Configuration.Hooks.queueLimit`),
/// each killed at `timeout`, and turns what each printed into a `HookOutcome`.
struct HookRunner: Sendable {
    let slots: HookSlots
    let timeout: Duration
    let telemetry: Telemetry
    let logger: Logger

    init(settings: Configuration.Hooks, telemetry: Telemetry, logger: Logger) {
        slots = HookSlots(limit: settings.maxParallel, queueLimit: Configuration.Hooks.queueLimit)
        timeout = .milliseconds(Int64(settings.timeout * 1_000))
        self.telemetry = telemetry
        self.logger = logger
    }

    func run(_ argv: [String], for alarm: Alarm, path: String) async -> HookOutcome {
        let metadata: Logger.Metadata = ["monitor": "\(alarm.monitorId)", "event": "\(alarm.eventId)", "kind": "\(alarm.kind.rawValue)"]
        guard await slots.acquire() else {
            telemetry.count("zmes_hooks_dropped_total")
            logger.warning("hook dropped: too many hooks waiting; the alarm goes on as a hook failure", metadata: metadata)
            return .failed("dropped: \(Configuration.Hooks.queueLimit) hooks already waiting")
        }
        let exit = await HookProcess.run(HookCommand.arguments(argv, for: alarm, path: path), timeout: timeout)
        await slots.release()
        let outcome: HookOutcome
        switch exit.status {
        case .exited(0):
            outcome = HookOutput.detection(from: exit.output).map(HookOutcome.detected) ?? .failed("exit 0 but no text: nothing detected")
        case .exited(let code): outcome = .failed("exit \(code)")
        case .signalled(let signal): outcome = .failed("killed by signal \(signal)")
        case .timedOut: outcome = .failed("killed at the \(timeout) timeout")
        case .notStarted(let reason): outcome = .failed("could not start: \(reason)")
        }
        switch outcome {
        case .detected(let detection):
            telemetry.count("zmes_hooks_total", [("result", "success")])
            logger.info("hook succeeded", metadata: metadata.merging(["detection": "\(detection.text)"]) { $1 })
        case .failed(let reason):
            telemetry.count("zmes_hooks_total", [("result", "failure")])
            var details = metadata
            details["why"] = "\(reason)"
            if !exit.errors.isEmpty { details["stderr"] = "\(exit.errors.prefix(500))" }
            logger.info("hook failed", metadata: details)
        }
        return outcome
    }
}
