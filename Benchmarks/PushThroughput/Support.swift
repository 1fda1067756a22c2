import Crypto
import Foundation
import ZmesBenchSupport

/// The APNs provider JWT, signed as Sources/PushDispatcher/JWT/JWT.swift does:
/// ES256, header {"alg","kid"}, claims {"iss","iat"}, raw r||s signature, base64url.
func providerJWT(keyID: String, teamID: String, key: P256.Signing.PrivateKey) throws -> String {
    func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    let header = try JSONSerialization.data(withJSONObject: ["alg": "ES256", "kid": keyID], options: [.sortedKeys])
    let claims = try JSONSerialization.data(
        withJSONObject: ["iss": teamID, "iat": Int(Date().timeIntervalSince1970)] as [String: Any], options: [.sortedKeys])
    let input = base64URL(header) + "." + base64URL(claims)
    let signature = try key.signature(for: Data(input.utf8))
    return input + "." + base64URL(signature.rawRepresentation)
}

/// A random 64-hex-digit APNs device token.
func randomDeviceToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}

/// User + system CPU seconds used so far by this process (all threads: client and mock) and by
/// its waited-for children (h2load).
func cpuSeconds() -> Double {
    func seconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
    return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
}

/// What the bare loop and h2load send: a 231-byte APNs payload as zmes renders one.
let referencePayload = Array(
    #"{"aps":{"alert":{"title":"Front Door Alarm (123456)","body":"Motion: person detected in zone Driveway at 10:42 AM"},"badge":1,"sound":"default","thread-id":"zmninja_alarm"},"mid":"1","eid":"123456","notification_foreground":"true"}"#
        .utf8)

/// Prints `table` (its first row the header) as a Markdown table: the first column left-aligned,
/// the others right-aligned, as BENCHMARKS.md shows them.
func printTable(_ table: [[String]]) {
    guard let header = table.first else { return }
    let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
    for (index, line) in table.enumerated() {
        let cells = line.enumerated().map { column, cell in
            column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[column] - cell.count) + cell
        }
        print("| " + cells.joined(separator: " | ") + " |")
        if index == 0 {
            print("|" + widths.enumerated().map { column, width in column == 0 ? String(repeating: "-", count: width + 2) : String(repeating: "-", count: width + 1) + ":" }.joined(separator: "|") + "|")
        }
    }
}
