import Foundation
import Model
import Storage
import ZmesBenchSupport

/// The devices of one run: `count` iOS devices, push enabled, interval 0, spread over
/// ten users who may see every monitor.
///
/// Ten devices have an empty monitor list (every monitor), so both ways the store finds
/// a device are exercised. Monitor 1 is watched by exactly `fixedMatch` devices (the ten
/// plus listed ones) whatever the size; monitor 2 by a tenth of all devices; the rest
/// list one of monitors 3...102, as a large site's phones would.
struct Population {
    static let fixedMonitor = 1
    static let tenthMonitor = 2
    static let fixedMatch = 100
    static let watchingAll = 10
    static let users = (0..<10).map { "user\($0)" }

    let count: Int

    var tenthMatch: Int { count / 10 }

    /// A 64-hex-digit token, so the provider choice is APNs as for a real iPhone.
    static func token(_ index: Int) -> String { String(format: "%064lx", index) }

    func monitors(of index: Int) -> String {
        if index < Self.watchingAll { return "" }
        if index < Self.fixedMatch { return "\(Self.fixedMonitor)" }
        if index < Self.fixedMatch + tenthMatch - Self.watchingAll { return "\(Self.tenthMonitor)" }
        return "\(3 + index % 100)"
    }

    /// Registers every device in one transaction (setup is not timed).
    func register(in store: any Store) async throws {
        for user in Self.users {
            try await store.saveUser(User(name: user, passwordHash: "not-used", monitors: .all))
        }
        let registrations = try (0..<count).map { index in
            let monlist = monitors(of: index)
            return DeviceRegistration(
                token: Self.token(index), user: Self.users[index % Self.users.count], platform: .ios, state: .enabled,
                filter: try MonitorFilter(monlist: monlist, intlist: monlist.isEmpty ? "" : "0"), appVersion: "1.8.001")
        }
        try await store.register(contentsOf: registrations)
    }
}
