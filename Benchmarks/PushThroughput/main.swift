// PushThroughput: how many APNs pushes per second zmes's real dispatch path delivers,
// against a bare libcurl multi loop (and h2load) on the same in-process mock APNs; then,
// given the release `zmes`, how many `zmes serve` (1 on SQLite, 1-3 on one PostgreSQL)
// deliver with a real nginx as APNs, against the bare loop on that nginx.
// See BENCHMARKS.md at the repository root.
//
//   swift run -c release PushThroughput [N] [repeats] [path to the release zmes]
//   PUSH_THROUGHPUT_ONLY=nginx ...   the rows against nginx alone

import CCurl
import Foundation
import ZmesBenchSupport

let arguments = CommandLine.arguments.dropFirst()
let n = arguments.first.flatMap(Int.init) ?? 20_000
let repeats = arguments.dropFirst().first.flatMap(Int.init) ?? 3
let zmes = arguments.dropFirst(2).first
guard n > 0, repeats > 0, zmes.map({ FileManager.default.isExecutableFile(atPath: $0) }) ?? true else {
    FileHandle.standardError.write(Data("usage: PushThroughput [N > 0] [repeats > 0] [path to the release zmes]\n".utf8))
    exit(2)
}
let only = ProcessInfo.processInfo.environment["PUSH_THROUGHPUT_ONLY"].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
do {
    if only.map({ !$0.isDisjoint(with: ["bare", "h2load", "sender", "zmes"]) }) ?? true {
        try await Benchmark(n: n, repeats: repeats).run()
    } else {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))  // Benchmark.run does it otherwise
    }
    if only?.contains("nginx") ?? true {
        // Three rounds of the bare loop are enough on nginx (it varies less than the mock), and one
        // of each serve row: the whole benchmark script must stay under 10 minutes on 2 cores.
        try await NginxBenchmark(n: n, bareRounds: min(repeats, 3), zmes: zmes).run()
    }
} catch {
    ChildProcesses.killAll()
    FileHandle.standardError.write(Data("PushThroughput failed: \(error)\n".utf8))
    exit(1)
}
