import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import PushDispatcher

/// A credentials file and its key files as the console's upload form sends them (`multipart/form-data`,
/// parsed by MultipartKit): the session's `csrf`, the file in `credentials` and any number of key files in
/// `keys`. It is validated as `zmes credentials add` validates a file (`CredentialsFile`), with the key
/// files matched by name instead of read from disk.
struct CredentialsUpload: Sendable {
    var csrf = ""
    var credentialsFile: Data?
    var keyFiles: [String: Data] = [:]

    /// A credentials file and its keys are a few KiB; a megabyte is plenty and bounds what is held.
    static let maxBytes = 1 << 20

    /// Why an upload is not read, said to the operator on the page.
    enum Failure: Error, CustomStringConvertible {
        case notMultipart
        case tooLarge
        case malformed
        case noCredentialsFile
        case badFileName(String)

        var description: String {
            switch self {
            case .notMultipart: return "the form must be sent as multipart/form-data"
            case .tooLarge: return "the upload is larger than \(CredentialsUpload.maxBytes / 1_024) KiB"
            case .malformed: return "the upload is not a well-formed multipart body"
            case .noCredentialsFile: return "choose a credentials file (the format of Credentials.example)"
            case .badFileName(let name): return "a key file's name must be a plain file name, not '\(name)'"
            }
        }
    }

    static func read(_ request: Request) async throws(Failure) -> CredentialsUpload {
        guard let contentType = request.headers[.contentType],
            contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.parameters(contentType)["boundary"], !boundary.isEmpty
        else { throw .notMultipart }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBytes)
        } catch {
            throw .tooLarge
        }
        var upload = CredentialsUpload()
        for part in try parts(body, boundary: boundary) {
            let disposition = Self.parameters(part.disposition)
            switch disposition["name"] {
            case "csrf": upload.csrf = String(decoding: part.body, as: UTF8.self)
            case "credentials" where !part.body.isEmpty: upload.credentialsFile = part.body
            case "keys" where !part.body.isEmpty:
                let name = disposition["filename"] ?? ""
                guard !name.isEmpty, !name.contains("/"), !name.contains("\\"), name != ".", name != ".." else { throw .badFileName(name) }
                upload.keyFiles[name] = part.body
            default: continue
            }
        }
        return upload
    }

    /// The credentials the upload defines, each key checked by signing a test token; nothing on disk is read
    /// but an absolute `ca_file`.
    func credentials() throws(CredentialsFileError) -> [ProviderCredential] {
        try CredentialsFile.parse(yaml: String(decoding: credentialsFile ?? Data(), as: UTF8.self), keyFiles: .uploaded(keyFiles))
    }

    private struct Part {
        var disposition = ""
        var body = Data()
    }

    private static func parts(_ body: ByteBuffer, boundary: String) throws(Failure) -> [Part] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var current = Part()
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" { current.disposition = value }
        }
        parser.onBody = { chunk in current.body.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            parts.append(current)
            current = Part()
        }
        do {
            try parser.execute(body)
        } catch {
            throw .malformed
        }
        return parts
    }

    /// `form-data; name="keys"; filename="AuthKey.p8"` → ["name": "keys", "filename": "AuthKey.p8"].
    private static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in header.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
            result[key] = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return result
    }
}
