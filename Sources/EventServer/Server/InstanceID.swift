import Foundation

/// The name an instance writes beside the jobs it claims in a shared PostgreSQL store
/// (`server.instance_id`), so an operator can tell which instance holds a job.
public enum InstanceID {
    public static let rule = "must be 1 to 64 letters, digits, '.', '_' or '-'"

    public static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.count) && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
    }

    /// `server.instance_id`, or when it is empty this host's name and a random suffix: a restarted
    /// instance is a new one, and the claims of the one before it end with their lease.
    public static func resolve(_ configured: String) -> String {
        guard configured.isEmpty else { return configured }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "zmes"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = (host.isEmpty ? "zmes" : String(host.prefix(50))) + "-" + suffix
        return String(name.unicodeScalars.map { isValid(String($0)) ? Character($0) : "-" })
    }
}
