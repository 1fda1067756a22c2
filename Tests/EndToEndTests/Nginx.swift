import Foundation
import ZmesTestSupport

/// A real nginx (Debian's package) serving HTTP/2 over TLS on a free loopback port, as a
/// provider endpoint: its own prefix directory, pid file and logs, stopped by its PID.
///
/// It answers `return 200` on `/3/device/`, as nginx does when it replies before reading a
/// request body, and logs `method uri status` per request in `access.log`.
final class Nginx: Sendable {
    static let executable = "/usr/sbin/nginx"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let directory: String
    let port: Int
    private let process: Process

    var url: String { "https://127.0.0.1:\(port)" }
    var accessLogPath: String { directory + "/access.log" }

    /// - Parameters:
    ///   - certificatePEM: the server certificate for 127.0.0.1 (clients verify it with their CA file).
    ///   - privateKeyPEM: its key.
    init(in directory: String, certificatePEM: String, privateKeyPEM: String) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try certificatePEM.write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
        try privateKeyPEM.write(toFile: directory + "/server.key", atomically: true, encoding: .utf8)
        port = try Zmes.freePort()
        // Debian's defaults otherwise: 128 concurrent streams, keepalive_requests 1000 (then GOAWAY).
        try """
            daemon off;
            master_process off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log notice;
            events { worker_connections 1024; }
            http {
                log_format push '$request_method $request_uri $status';
                access_log \(directory)/access.log push;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
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

    /// Request paths nginx logged for `method`, each with how many times.
    func loggedRequests(method: String = "POST") throws -> [String: Int] {
        let log = try String(contentsOfFile: accessLogPath, encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in log.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == method else { continue }
            counts[String(fields[1]), default: 0] += 1
        }
        return counts
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)  // graceful: finishes what is in flight
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
