import CCurl

/// What the linked libcurl can do; pushes need HTTP/2 over TLS.
public struct LibcurlFeatures: Sendable {
    public var version: String
    public var supportsHTTP2: Bool
    public var supportsTLS: Bool

    public static var current: LibcurlFeatures {
        guard let info = zmes_curl_version_info() else {
            return LibcurlFeatures(version: "unknown", supportsHTTP2: false, supportsTLS: false)
        }
        let features = info.pointee.features
        return LibcurlFeatures(
            version: info.pointee.version.map { String(cString: $0) } ?? "unknown",
            supportsHTTP2: features & CURL_VERSION_HTTP2 != 0,
            supportsTLS: features & CURL_VERSION_SSL != 0)
    }
}
