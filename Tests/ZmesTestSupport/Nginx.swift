import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx (Debian's package) serving HTTP/2 over TLS on a free loopback port, as a
/// provider endpoint: its own prefix directory, pid file and logs, stopped by its PID.
///
/// It answers `return 200` on `/3/device/`, as nginx does when it replies before reading a
/// request body, and logs `method uri status msec` per request in `access.log` (`msec`: the
/// time nginx logged it, seconds since 1970 to the millisecond). The end-to-end tests use it
/// as APNs, and `Benchmarks/PushThroughput` as an endpoint faster than the in-process mock.
public final class Nginx: Sendable {
    public static let executable = "/usr/sbin/nginx"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    public let directory: String
    public let port: Int
    private let process: Process

    public var url: String { "https://127.0.0.1:\(port)" }
    public var accessLogPath: String { directory + "/access.log" }
    public var pid: pid_t { process.processIdentifier }

    /// - Parameters:
    ///   - certificatePEM: the server certificate for 127.0.0.1 (clients verify it with their CA file).
    ///   - privateKeyPEM: its key.
    ///   - maxConcurrentStreams: `http2_max_concurrent_streams`; `nil` keeps nginx's default (128),
    ///     below the 1,000 APNs allows, which caps what a client may keep in flight on one connection.
    ///   - keepaliveRequests: `keepalive_requests`: requests on one connection before nginx sends GOAWAY;
    ///     `nil` keeps nginx's default (1,000). APNs keeps a connection far longer.
    public init(
        in directory: String, certificatePEM: String, privateKeyPEM: String, maxConcurrentStreams: Int? = nil, keepaliveRequests: Int? = nil
    ) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try certificatePEM.write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
        try privateKeyPEM.write(toFile: directory + "/server.key", atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        let streams = maxConcurrentStreams.map { "http2_max_concurrent_streams \($0);" } ?? ""
        let keepalive = keepaliveRequests.map { "keepalive_requests \($0);" } ?? ""
        // nginx's defaults otherwise.
        try """
            daemon off;
            master_process off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log notice;
            events { worker_connections 1024; }
            http {
                log_format push '$request_method $request_uri $status $msec';
                access_log \(directory)/access.log push;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    \(streams)
                    \(keepalive)
                    ssl_certificate \(directory)/server.pem;
                    ssl_certificate_key \(directory)/server.key;
                    location /3/device/ { return 200; }
                    location / { return 404; }
                }
            }
            """.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try launch(process)
        self.process = process
        let port = self.port
        guard await eventually(timeout: .seconds(20), { loopbackAccepts(port: port) || !process.isRunning }), process.isRunning else {
            stop()
            let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
            throw TestFailure("nginx did not start on port \(port): \(log)")
        }
    }

    /// One request in the access log.
    public struct LoggedRequest: Sendable {
        public var method: Substring
        public var uri: Substring
        public var status: Int
        /// When nginx logged it: seconds since 1970.
        public var time: Double
    }

    /// Every request in the access log so far, in the order nginx logged them.
    public func accessLog() throws -> [LoggedRequest] {
        let log = try String(contentsOfFile: accessLogPath, encoding: .utf8)
        return log.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let status = Int(fields[2]), let time = Double(fields[3]) else { return nil }
            return LoggedRequest(method: fields[0], uri: fields[1], status: status, time: time)
        }
    }

    /// Request paths nginx logged for `method`, each with how many times.
    public func loggedRequests(method: String = "POST") throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in try accessLog() where request.method == method {
            counts[String(request.uri), default: 0] += 1
        }
        return counts
    }

    /// Empties the access log between measurements; nginx keeps appending to the same file.
    public func truncateAccessLog() throws {
        guard truncate(accessLogPath, 0) == 0 else { throw TestFailure("cannot truncate \(accessLogPath): errno \(errno)") }
    }

    /// The access log's size in bytes: cheap to poll while requests arrive.
    public var accessLogBytes: Int {
        var info = stat()
        return stat(accessLogPath, &info) == 0 ? Int(info.st_size) : 0
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)  // graceful: finishes what is in flight
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
