import Foundation
import Model

/// Reads a hook's standard output in the Perl server's shape, `[a] detected:person:91% car:80% --SPLIT--{json}`.
enum HookOutput {
    static let separator = "--SPLIT--"

    /// The detection, or nil when the hook printed no text (nothing was detected). The text is the last
    /// non-empty line before `--SPLIT--` (a hook may log lines before it); the JSON after it is kept only
    /// when it parses as JSON.
    static func detection(from output: String) -> Detection? {
        let textPart: Substring
        var jsonPart: Substring?
        if let split = output.range(of: separator) {
            textPart = output[..<split.lowerBound]
            jsonPart = output[split.upperBound...]
        } else {
            textPart = output[...]
        }
        let line = textPart.split(whereSeparator: \.isNewline).last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        var text = (line.map(String.init) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var frame: DetectionFrame?
        for (prefix, named) in [("[a]", DetectionFrame.alarm), ("[s]", .snapshot), ("[x]", nil)] as [(String, DetectionFrame?)]
        where text.hasPrefix(prefix) {
            frame = named
            text = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            break
        }
        guard !text.isEmpty else { return nil }
        let json = jsonPart.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { candidate in
            (try? JSONSerialization.jsonObject(with: Data(candidate.utf8), options: [.fragmentsAllowed])) != nil ? candidate : nil
        }
        return Detection(text: text, json: json, frame: frame)
    }
}
