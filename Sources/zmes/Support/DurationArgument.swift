import Storage

/// Reads a duration as people write it: `90s`, `30m`, `2h`, `1d`, or combined (`1h30m`); a bare number is seconds.
func parseDuration(_ text: String, option: String) throws -> Int {
    let usage = "\(option) must be a duration such as 30m, 2h, 1d or 1h30m (at most 365d)"
    var total = 0
    var digits = ""
    for character in text.lowercased() {
        if character.isASCII && character.isNumber {
            digits.append(character)
            continue
        }
        guard let value = Int(digits), digits.count <= 6 else { throw CommandFailure(usage) }
        switch character {
        case "s": total += value
        case "m": total += value * 60
        case "h": total += value * 3_600
        case "d": total += value * 86_400
        default: throw CommandFailure(usage)
        }
        digits = ""
    }
    if !digits.isEmpty {
        guard let value = Int(digits), digits.count <= 8 else { throw CommandFailure(usage) }
        total += value
    }
    guard (1...MonitorMute.longest).contains(total) else { throw CommandFailure(usage) }
    return total
}
