import NIOCore

/// Numbers accepted TCP connections and keeps the open ones, so tests can
/// assert "one connection, many streams" and the mock can drop them on demand.
actor ConnectionRegistry {
    private var accepted = 0
    private var open: [Int: any Channel] = [:]

    /// Registers a newly accepted connection and returns its ID (1, 2, ...).
    func opened(_ channel: any Channel) -> Int {
        accepted += 1
        open[accepted] = channel
        return accepted
    }

    func closed(_ id: Int) {
        open[id] = nil
    }

    var count: Int { accepted }
    var openCount: Int { open.count }

    /// Closes every open connection (a provider restart / network cut).
    func closeAll() async {
        let channels = Array(open.values)
        open.removeAll()
        for channel in channels {
            try? await channel.close()
        }
    }
}
