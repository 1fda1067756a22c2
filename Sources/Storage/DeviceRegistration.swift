import Model

/// What a `push`/`token` message says about a device.
public struct DeviceRegistration: Sendable {
    public var token: String
    public var user: String
    public var platform: Platform
    public var state: PushState
    /// `nil` keeps the lists the device already has (or all monitors for a new device).
    public var filter: MonitorFilter?
    public var appVersion: String

    public init(token: String, user: String, platform: Platform, state: PushState, filter: MonitorFilter?, appVersion: String) {
        self.token = token
        self.user = user
        self.platform = platform
        self.state = state
        self.filter = filter
        self.appVersion = appVersion
    }
}
