import Foundation
import ZmesTestSupport
import MockProviders

/// Drives the mocks with the real curl binary (built with nghttp2), so an
/// independent HTTP/2 client — not our own code — proves the mocks work.
struct Curl: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue? { JSONValue.parse(body) }
        var reason: String? { json?["reason"]?.stringValue }
    }

    struct Run: Sendable {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    static let path = "/usr/bin/curl"

    let caFile: String
    let directory: URL

    /// Writes the CA to a fresh temporary directory.
    init(authority: TestCertificateAuthority) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mockproviders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        caFile = directory.appendingPathComponent("ca.pem").path
        try authority.writeCA(to: caFile)
    }

    /// The options every invocation needs: HTTP/2, our CA, quiet but show errors, bounded time.
    var common: [String] { ["--http2", "--cacert", caFile, "-sS", "--max-time", "10"] }

    func file(_ name: String, contents: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    /// Arguments for one request; `body` goes through a file so any bytes pass unchanged.
    func requestArguments(_ url: String, method: String?, headers: [(String, String)], body: String?) throws -> [String] {
        var arguments = common
        if let method { arguments += ["-X", method] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body { arguments += ["--data-binary", "@" + (try file("body-\(UUID().uuidString)", contents: body))] }
        return arguments + [url]
    }

    /// One request; returns status, response headers and body.
    func request(_ url: String, method: String? = nil, headers: [(String, String)] = [], body: String? = nil) async throws -> Response {
        let id = UUID().uuidString
        let headerFile = directory.appendingPathComponent("headers-\(id)").path
        let bodyFile = directory.appendingPathComponent("out-\(id)").path
        var arguments = try requestArguments(url, method: method, headers: headers, body: body)
        arguments.insert(contentsOf: ["-D", headerFile, "-o", bodyFile, "-w", "%{http_code}"], at: 0)
        let run = try await Self.run(arguments)
        guard run.exitCode == 0 else { throw CurlFailed(run: run) }
        let headerText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        var responseHeaders: [String: String] = [:]
        for line in headerText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("HTTP/") else { continue }
            responseHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(
            status: Int(run.stdout) ?? -1,
            headers: responseHeaders,
            body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? ""
        )
    }

    struct CurlFailed: Error, CustomStringConvertible {
        var run: Run
        var description: String { "curl exited \(run.exitCode): \(run.stderr)" }
    }

    /// Runs curl with `arguments`, stdout and stderr captured through files (no pipe-buffer deadlock).
    static func run(_ arguments: [String]) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("curl-out-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent("curl-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do { try launch(process) } catch { continuation.resume(throwing: error) }
        }
        try? out.close()
        try? err.close()
        return Run(
            exitCode: status,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }
}
