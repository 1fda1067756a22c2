import Foundation
import ZmesBenchSupport

struct H2LoadResult {
    var seconds: Double
    var succeeded: Int
    var twoHundreds: Int
}

/// The path to h2load (nghttp2-client), if installed.
func findH2Load() -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":")
    for directory in paths {
        let candidate = "\(directory)/h2load"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// `h2load -n N -c 1 -m 100 -H ... -d payload URL`; its own "finished in" time is used.
/// h2load does not verify the certificate (it has no CA option).
func runH2Load(executable: String, n: Int, url: String, headers: [String], payloadFile: String) throws -> H2LoadResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    var arguments = ["-n", String(n), "-c", "1", "-t", "1", "-m", "100", "-d", payloadFile]
    for header in headers { arguments += ["-H", header] }
    arguments.append(url)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw BenchmarkFailure("h2load exited \(process.terminationStatus):\n\(text)") }
    // "finished in 1.23s, 16260.16 req/s, ..." (or "ms"); "requests: N total, N started, N done, N succeeded, ..."; "status codes: N 2xx, ..."
    func number(after marker: String, in line: Substring) -> Double? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...].drop(while: { $0 == " " })
        return Double(rest.prefix(while: { $0.isNumber || $0 == "." }))
    }
    var seconds: Double?
    var succeeded = 0
    var twoHundreds = 0
    for line in text.split(separator: "\n") {
        if line.hasPrefix("finished in"), let value = number(after: "finished in", in: line) {
            let afterNumber = line.split(separator: ",")[0]
            seconds = afterNumber.hasSuffix("ms") ? value / 1_000 : (afterNumber.hasSuffix("us") ? value / 1e6 : value)
        } else if line.hasPrefix("requests:") {
            for part in line.split(separator: ",") where part.hasSuffix("succeeded") {
                succeeded = Int(part.split(separator: " ").first ?? "") ?? 0
            }
        } else if line.hasPrefix("status codes:") {
            twoHundreds = Int(number(after: "status codes:", in: line) ?? 0)
        }
    }
    guard let seconds else { throw BenchmarkFailure("cannot read h2load's output:\n\(text)") }
    return H2LoadResult(seconds: seconds, succeeded: succeeded, twoHundreds: twoHundreds)
}
