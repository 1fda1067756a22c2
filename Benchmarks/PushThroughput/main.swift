// PushThroughput: how many APNs pushes per second zmes's real dispatch path delivers,
// against a bare libcurl multi loop (and h2load) on the same in-process mock APNs.
// See BENCHMARKS.md at the repository root.
//
//   swift run -c release PushThroughput [N] [repeats]

import Foundation
import ZmesBenchSupport

let arguments = CommandLine.arguments.dropFirst()
let n = arguments.first.flatMap(Int.init) ?? 20_000
let repeats = arguments.dropFirst().first.flatMap(Int.init) ?? 3
guard n > 0, repeats > 0 else {
    FileHandle.standardError.write(Data("usage: PushThroughput [N > 0] [repeats > 0]\n".utf8))
    exit(2)
}
do {
    try await Benchmark(n: n, repeats: repeats).run()
} catch {
    FileHandle.standardError.write(Data("PushThroughput failed: \(error)\n".utf8))
    exit(1)
}
