import ArgumentParser
import CurlClient
import EventServer
import Foundation
import PushDispatcher

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Print the resolved configuration with secrets masked; exit 1 naming the key when something is wrong.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Also check a credentials file (format: Credentials.example) without registering it.") var credentials: String?

    func run() async throws {
        if let credentials {
            do {
                let loaded = try CredentialsFile.load(path: credentials)
                for credential in loaded { print("# credentials: \(credential.provider.rawValue) '\(credential.name)' ok: \(credential.summary)") }
            } catch {
                print("Error: \(credentials): \(error)")
                throw ExitCode(1)
            }
        }
        let path = ConfigurationLoader.defaultPath(explicit: options.config)
        let c: Configuration
        do {
            c = try ConfigurationLoader().load(path: path)
        } catch {
            print("Error: \(error)")
            throw ExitCode(1)
        }
        func mask(_ value: String) -> String { value.isEmpty ? "\"\"" : "\"********\"" }
        let curl = LibcurlFeatures.current
        print("""
            # configuration: \(path ?? "(built-in defaults)")
            log:
              level: \(c.log.level)
            server:
              address: "\(c.server.address)"
              port: \(c.server.port)
              tls:
                enabled: \(c.server.tls.enabled)
                cert: "\(c.server.tls.cert)"
                key: "\(c.server.tls.key)"
                hostnames: [\(c.server.tls.hostnames.map { "\"\($0)\"" }.joined(separator: ", "))]
              max_message_size: \(c.server.maxMessageSize)
              max_sessions: \(c.server.maxSessions)
              handshake_timeout: \(c.server.handshakeTimeout)
              ping_interval: \(c.server.pingInterval)
              trusted_proxies: [\(c.server.trustedProxies.map { "\"\($0)\"" }.joined(separator: ", "))]
              instance_id: "\(c.server.instanceId)"
            admin:
              address: "\(c.admin.address)"
              port: \(c.admin.port)
              token: \(mask(c.admin.token))
              idle_timeout: \(c.admin.idleTimeout)
            auth:
              enabled: \(c.auth.enabled)
              timeout: \(c.auth.timeout)
              backend: \(c.auth.backend.rawValue)
              max_failures: \(c.auth.maxFailures)
              failure_window: \(c.auth.failureWindow)
              max_failures_per_user: \(c.auth.maxFailuresPerUser)
              recheck_interval: \(c.auth.recheckInterval)
              zoneminder_recheck: \(c.auth.zoneminderRecheck)
              zoneminder_grace: \(c.auth.zoneminderGrace)
              login_cache: \(c.auth.loginCache)
            store:
              backend: \(c.store.backend.rawValue)
              path: "\(c.store.path)"
              url: "\(c.store.postgres.map(\.description) ?? "")"
              password: \(mask(c.store.postgres?.password ?? ""))
              password_file: "\(c.store.passwordFile)"
            push:
              enabled: \(c.push.enabled)
              max_age: \(c.push.maxAge)
              retention: \(c.push.retention)
              title: "\(c.push.title)"
              body: "\(c.push.body)"
            zoneminder:
              enabled: \(c.zoneminder.enabled)
              url: "\(c.zoneminder.url)"
              user: "\(c.zoneminder.user)"
              password: \(mask(c.zoneminder.password))
              monitors: [\(c.zoneminder.monitors.map { "{id: \($0.id), name: \"\($0.name)\"}" }.joined(separator: ", "))]
              shm_dir: "\(c.zoneminder.shmDir)"
              poll_interval: \(c.zoneminder.pollInterval)
              send_event_end: \(c.zoneminder.sendEventEnd)
              login_cache: \(c.zoneminder.loginCache)
            \(MQTTConfigText.yaml(c.mqtt, mask: mask))
            # libcurl \(curl.version): HTTP/2 \(curl.supportsHTTP2 ? "yes" : "NO"), TLS \(curl.supportsTLS ? "yes" : "NO")
            """)
        print(Self.hooksSection(c.hooks))
        if !curl.supportsHTTP2 || !curl.supportsTLS {
            print("Error: libcurl lacks HTTP/2 or TLS; install libcurl4-openssl-dev (built with nghttp2)")
            throw ExitCode(1)
        }
    }
}
