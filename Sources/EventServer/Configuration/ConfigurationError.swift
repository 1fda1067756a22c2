/// A mistake in the configuration, naming the key so the user can fix it.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notYAML(path: String, reason: String)
    case unknownKey(String)
    case unknownVariable(String)
    case wrongType(key: String, expected: String, found: String)
    case invalidValue(key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .notYAML(let path, let reason): return "\(path) is not valid YAML: \(reason)"
        case .unknownKey(let key): return "unknown key '\(key)' (check its spelling and indentation)"
        case .unknownVariable(let variable):
            return "unknown environment variable \(variable): no configuration key has that name (check its spelling, or unset it)"
        case .wrongType(let key, let expected, let found): return "'\(key)' must be \(expected), found \(found)"
        case .invalidValue(let key, let reason): return "'\(key)': \(reason)"
        }
    }
}
