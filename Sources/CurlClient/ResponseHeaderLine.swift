/// One `name: value` line as libcurl hands it over, parsed on its bytes: a name lower-cased,
/// a value without the surrounding blanks and CRLF.
struct ResponseHeaderLine {
    var name: String
    var value: String

    init?(_ line: UnsafeBufferPointer<UInt8>) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var nameEnd = colon
        while nameEnd > 0, isBlank(line[nameEnd - 1]) { nameEnd -= 1 }
        var nameStart = 0
        while nameStart < nameEnd, isBlank(line[nameStart]) { nameStart += 1 }
        guard nameStart < nameEnd else { return nil }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, isBlank(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, isBlank(line[valueEnd - 1]) { valueEnd -= 1 }
        // Lower-cased straight into the string's storage: a lazy map was decoded through the
        // standard library's generic path, with a dynamic cast per header line of every push.
        name = String(unsafeUninitializedCapacity: nameEnd - nameStart) { buffer in
            for (offset, byte) in line[nameStart..<nameEnd].enumerated() {
                buffer[offset] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
            return nameEnd - nameStart
        }
        value = String(decoding: line[valueStart..<valueEnd], as: UTF8.self)
    }
}
