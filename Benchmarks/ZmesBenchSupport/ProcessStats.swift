import Foundation

/// What /proc says about another process: resident memory and CPU time.
public enum ProcessStats {
    /// VmRSS in KiB, or nil when the process is gone.
    public static func residentKiB(_ pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count >= 2 ? Double(fields[1]) : nil
        }
        return nil
    }

    /// utime + stime in seconds (fields 14 and 15 of /proc/PID/stat), or nil when the process is gone.
    public static func cpuSeconds(_ pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the parenthesised command name start at field 3 (state).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds of a process and its children: its own utime + stime, what its exited
    /// children used (cutime + cstime, fields 16 and 17), and the utime + stime of those still
    /// running. For a server that forks a process per session (PostgreSQL): the difference
    /// of two readings is what the whole server used between them, sessions that ended included.
    public static func cpuSecondsWithChildren(_ pid: pid_t) -> Double? {
        guard let own = statFields(pid), own.count > 14 else { return nil }
        let values = own[11...14].compactMap { Double($0) }
        guard values.count == 4 else { return nil }
        var ticks = values.reduce(0, +)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = pid_t(entry), child != pid, let fields = statFields(child), fields.count > 12,
                fields[1] == String(pid), let user = Double(fields[11]), let system = Double(fields[12])
            else { continue }
            ticks += user + system
        }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of /proc/PID/stat after the command name, from field 3 (state) on.
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Threads of the process (Threads: in /proc/PID/status).
    public static func threads(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Threads:") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).last.flatMap { Int($0) }
        }
        return nil
    }

    /// Raises this process's soft limit on open files to the hard limit (10k sockets need it).
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}
