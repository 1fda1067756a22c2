// RoutingScale: how the cost of routing one alarm grows with the devices registered,
// through zmes's real router (AlarmRouter) and store, against a bare GRDB transaction
// that writes the same outbox rows. See RESULTS.md here.
//
//   swift run -c release RoutingScale [sizes, comma-separated] [alarms per case]

import Foundation
import ZmesBenchSupport

let arguments = CommandLine.arguments.dropFirst()
let sizes = arguments.first.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1_000, 10_000, 100_000]
let alarms = arguments.dropFirst().first.flatMap(Int.init) ?? 11
guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1_000 }), alarms > 0 else {
    FileHandle.standardError.write(Data("usage: RoutingScale [sizes >= 1000, e.g. 1000,10000,100000] [alarms > 0]\n".utf8))
    exit(2)
}
do {
    try await RoutingScale(sizes: sizes, alarms: alarms).run()
} catch {
    FileHandle.standardError.write(Data("RoutingScale failed: \(error)\n".utf8))
    exit(1)
}
