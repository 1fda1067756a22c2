import Foundation

/// Where the key files a credentials file names come from: beside the file on disk (`zmes credentials add`),
/// or uploaded with it from the console, by file name. An uploaded file cannot make zmes read its own disk:
/// only `ca_file` may name a path on the zmes machine, and then an absolute one.
public enum KeyFiles: Sendable {
    /// Relative paths are relative to this folder (the credentials file's).
    case directory(URL)
    /// The uploaded files by name; a `key_file` or `service_account_file` is matched by its last path component.
    case uploaded([String: Data])

    /// The contents of the key file `path` names, and how to name it in an error; nil when there is none.
    func contents(of path: String) -> (shown: String, data: Data?) {
        switch self {
        case .directory(let directory):
            let url = Self.resolve(path, in: directory)
            return (url.path, FileManager.default.contents(atPath: url.path))
        case .uploaded(let files):
            let name = URL(fileURLWithPath: path).lastPathComponent
            return ("\(name) (among the uploaded files)", files[name])
        }
    }

    /// The CA bundle's path as it is saved with the credential, which reads it at each connection.
    func caFile(_ path: String, label: String) throws(CredentialsFileError) -> String {
        guard !path.isEmpty else { return "" }
        let url: URL
        switch self {
        case .directory(let directory): url = Self.resolve(path, in: directory)
        case .uploaded:
            guard path.hasPrefix("/") else {
                throw .invalidValue(entry: label, field: "ca_file", reason: "must be an absolute path on the zmes machine in an uploaded file")
            }
            url = URL(fileURLWithPath: path)
        }
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingKeyFile(entry: label, path: url.path) }
        return url.path
    }

    private static func resolve(_ path: String, in directory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    }
}
