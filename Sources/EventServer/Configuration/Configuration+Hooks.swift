import Model

extension Configuration {
    /// `hooks:`: the detection hooks run for each alarm (docs/HOOKS.md), named as in the Perl server's `[hook]`.
    public struct Hooks: Sendable, Equatable {
        /// The program and its arguments run at an event's start; empty: no hook.
        public var eventStart: [String] = []
        /// The same at an event's end.
        public var eventEnd: [String] = []
        /// Seconds a hook may run before its whole process group is killed.
        public var timeout: Double = 30
        /// Seconds the first notification waits for the hook before it goes out without the detection.
        public var wait: Double = 10
        /// Hooks running at once; more wait in a queue of `queueLimit`.
        public var maxParallel = 2
        /// Monitors whose alarms run no hook.
        public var skipMonitors: Set<Int> = []
        public var startNotifyOnSuccess: Set<DeliveryChannel> = Set(DeliveryChannel.allCases)
        public var startNotifyOnFail: Set<DeliveryChannel> = []
        public var endNotifyOnSuccess: Set<DeliveryChannel> = Set(DeliveryChannel.allCases)
        public var endNotifyOnFail: Set<DeliveryChannel> = []
        /// An end goes out only when its start's hook succeeded.
        public var endNotifyIfStartSuccess = true
        /// The detection text goes before the cause (`detected:person:91% Motion: All`).
        public var useDescription = true
        /// A successful hook's text is written into the event's Notes in ZoneMinder.
        public var updateNotes = false

        /// Hooks waiting for a free slot, beyond which one is dropped (and counted in `zmes_hooks_dropped_total`).
        public static let queueLimit = 100

        /// Whether any hook is configured.
        public var enabled: Bool { !eventStart.isEmpty || !eventEnd.isEmpty }

        public init() {}
    }
}
