/// Cuts a push's alert text until the encoded payload fits its provider's limit: the
/// body first, then the title, each on a character boundary and ending in "…". A huge
/// monitor name or cause then still makes a push the provider accepts.
enum PayloadFit {
    /// - Parameters:
    ///   - limit: the most bytes `render` may return (after `allowance`, bytes that do not count).
    ///   - render: the payload for a title and a body.
    static func fit(
        title: String, body: String, limit: Int, allowance: Int = 0, render: (_ title: String, _ body: String) -> [UInt8]
    ) -> [UInt8] {
        let budget = limit + allowance
        let whole = render(title, body)
        guard whole.count > budget else { return whole }
        // Escaping makes encoded sizes grow faster than the text (a control character takes
        // six bytes), so search for the longest prefix that fits rather than subtract.
        if render(title, "").count <= budget {
            return longestFitting(body, budget: budget) { render(title, $0) }
        }
        return longestFitting(title, budget: budget) { render($0, "") }
    }

    /// The rendering of the longest cut of `text` within `budget` bytes (the empty text's if none fits).
    private static func longestFitting(_ text: String, budget: Int, render: (String) -> [UInt8]) -> [UInt8] {
        var best = render("")
        var low = 1
        var high = min(text.utf8.count - 1, budget)  // each byte of text takes at least one
        while low <= high {
            let middle = (low + high) / 2
            let bytes = render(cut(text, toBytes: middle))
            if bytes.count <= budget {
                best = bytes
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return best
    }

    /// The longest prefix of whole characters within `bytes` UTF-8 bytes, plus "…" when anything was cut.
    static func cut(_ text: String, toBytes bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let size = text.utf8.distance(from: index, to: next)
            guard used + size <= bytes else { break }
            used += size
            end = next
        }
        return end == text.startIndex ? "" : String(text[..<end]) + "…"
    }
}
