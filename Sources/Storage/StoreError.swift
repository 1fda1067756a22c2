/// Failures of the store that a user can act on.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    case unknownUser(String)
    case messageTooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create the store directory \(path): \(reason)"
        case .cannotOpen(let path, let reason):
            return "cannot open the store \(path): \(reason)"
        case .unknownUser(let name):
            return "no user named '\(name)'"
        case .messageTooLarge(let bytes):
            return "a message to the other instances has \(bytes) bytes; PostgreSQL's NOTIFY takes at most 7,999"
        }
    }
}
