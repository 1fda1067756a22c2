import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A C `strftime` format (`push.date_format`), as the Perl server's `date_format` is: users carry
/// theirs over unchanged. Times are shown in `timeZone` (the server's own by default).
struct StrftimeFormat {
    let format: String
    let timeZone: TimeZone

    init(_ format: String, timeZone: TimeZone) {
        self.format = format
        self.timeZone = timeZone
    }

    func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        if timeZone == .current {
            localtime_r(&seconds, &parts)
        } else {
            // Another zone: shift by its offset and read the parts as UTC (`%Z` then names UTC).
            seconds += time_t(timeZone.secondsFromGMT(for: date))
            gmtime_r(&seconds, &parts)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        let length = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
