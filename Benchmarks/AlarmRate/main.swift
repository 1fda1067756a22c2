// AlarmRate: the sustained alarm rate of a real `zmes serve` (release binary, a
// subprocess) with 100 monitors and 1,000 registered iOS devices pushing to nginx (or, without
// it, the in-process mock APNs: PushEndpoint), against the same client's ceiling on an alarm nobody watches.
// See RESULTS.md here.
//
//   swift build -c release --product zmes && swift run -c release AlarmRate [path to zmes] [seconds per step] [rates]

import CCurl
import Foundation
import ZmesBenchSupport

let arguments = Array(CommandLine.arguments.dropFirst())
let zmesPath = arguments.first ?? ".build/release/zmes"
let stepSeconds = arguments.count > 1 ? Double(arguments[1]) ?? 5 : 5
let rates = arguments.count > 2 ? arguments[2].split(separator: ",").compactMap { Double($0) } : [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200]
guard FileManager.default.isExecutableFile(atPath: zmesPath), stepSeconds > 0, !rates.isEmpty else {
    FileHandle.standardError.write(Data("usage: AlarmRate [zmes binary, default .build/release/zmes] [seconds per step > 0] [rates, e.g. 50,100,200]\n".utf8))
    exit(2)
}
curl_global_init(Int(CURL_GLOBAL_DEFAULT))  // once, before any thread uses libcurl
do {
    try await AlarmRate(zmesPath: zmesPath, stepSeconds: stepSeconds, rates: rates).run()
} catch {
    FileHandle.standardError.write(Data("AlarmRate failed: \(error)\n".utf8))
    exit(1)
}
