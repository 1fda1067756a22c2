import Logging

/// The websocket listener's certificate: resolved at start (configured, or self-signed beside the store) and
/// held where new connections read it, so SIGHUP can swap it without dropping sessions.
struct TLSSetup: Sendable {
    let material: TLSMaterial
    let contexts: TLSContextHolder

    /// nil when `server.tls.enabled` is false.
    static func resolve(_ configuration: Configuration.TLS, dataDirectory: String, logger: Logger) throws -> TLSSetup? {
        guard configuration.enabled else { return nil }
        let material = try TLSMaterial.resolve(
            certificate: configuration.cert, key: configuration.key, dataDirectory: dataDirectory, hostnames: configuration.hostnames)
        if let reason = material.generatedBecause {
            logger.notice(
                "created a self-signed certificate; phones must trust this one",
                metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(material.fingerprint)", "why": "\(reason)"])
        } else {
            logger.info("using TLS certificate", metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(material.fingerprint)"])
        }
        return TLSSetup(material: material, contexts: try TLSContextHolder(try material.serverConfiguration()))
    }

    /// New connections get the pair as it is on disk now; a pair that does not load leaves the current one in use.
    func reloadCertificate(logger: Logger) {
        do {
            try contexts.replace(with: try material.serverConfiguration())
            let fingerprint = try TLSMaterial.fingerprint(ofPEMFile: material.certificatePath)
            logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(material.certificatePath)", "sha256": "\(fingerprint)"])
        } catch {
            logger.error(
                "cannot reload the TLS certificate; new connections keep getting the current one",
                metadata: ["error": "\(error)"])
        }
    }
}
