import Foundation
import Model
import PushDispatcher
import Storage

/// Everything `zmes.yml` can set, with the built-in defaults listed in docs/CONFIGURATION.md.
public struct Configuration: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        public var enabled = true
        public var cert = ""
        public var key = ""
        /// Names and addresses the generated certificate is valid for; empty: localhost, 127.0.0.1, ::1 and this host's name.
        public var hostnames: [String] = []
    }

    public struct Server: Sendable, Equatable {
        public var address = "::"
        public var port = 9000
        public var tls = TLS()
        /// Largest message a client may send; larger ones get `TOOBIG`.
        public var maxMessageSize = 65_536
        /// Most websocket sessions at once; upgrades past it are refused.
        public var maxSessions = 10_000
        /// Seconds a socket may stay connected without completing the TLS handshake and the websocket upgrade.
        public var handshakeTimeout: Double = 10
        /// Seconds between pings to each session; a peer that does not answer by the next ping is closed.
        public var pingInterval: Double = 30
        /// Proxies whose `X-Forwarded-For` names the client (e.g. the nginx in front); empty: none.
        public var trustedProxies: [AddressRange] = []
        /// This instance's name among those sharing a PostgreSQL store (it marks the jobs it claims);
        /// empty: the host name and a short random suffix, new at each start (``InstanceID``).
        public var instanceId = ""
    }

    public struct Admin: Sendable, Equatable {
        public var address = "127.0.0.1"
        public var port = 9001
        public var token = ""
        /// Seconds an admin connection may stay idle before it is closed.
        public var idleTimeout: Double = 30
        /// HTTPS for the admin API and the console, for use off the box: off by default. Without a cert and key,
        /// the websocket listener's generated pair beside the store (`server.tls.hostnames` name it).
        public var tls = TLS(enabled: false)
    }

    public enum AuthBackend: String, Sendable, Equatable, CaseIterable {
        case local
        case zoneminder
    }

    public struct Auth: Sendable, Equatable {
        public var enabled = true
        /// Seconds a client has to authenticate.
        public var timeout: Double = 20
        public var backend = AuthBackend.local
        /// Failed logins allowed per client address within `failureWindow` seconds.
        public var maxFailures = 10
        public var failureWindow: Double = 60
        /// Failed logins allowed per user name (from any address) within `failureWindow`; 0: no limit.
        public var maxFailuresPerUser = 30
        /// Seconds between re-reads of the logged-in users' permissions (removed users are disconnected).
        public var recheckInterval: Double = 5
        /// Seconds a ZoneMinder user's permissions are trusted before ZoneMinder is asked again.
        public var zoneminderRecheck: Double = 300
        /// Seconds past the last successful ZoneMinder check that permissions are still used
        /// while ZoneMinder cannot be asked (down, or no token to ask with).
        public var zoneminderGrace: Double = 86_400
        /// Seconds a successful local login is remembered, as a salted hash, so a reconnect storm
        /// is not one bcrypt check per phone; 0: every login is checked.
        public var loginCache: Double = 300
    }

    public struct Store: Sendable, Equatable {
        public enum Backend: String, Sendable, Equatable, CaseIterable {
            /// One file on this machine (`path`): one instance, and the CLI beside it.
            case sqlite
            /// A PostgreSQL database (`url`) that several instances share (docs/POSTGRESQL.md).
            case postgres
        }

        public var backend = Backend.sqlite
        public var path = "zmes-data/zmes.sqlite"
        /// `store.url`, read into `postgres`; never printed as it is (it may hold the password).
        public var url = ""
        /// `store.password`, which `ZMES_STORE_PASSWORD` sets (secret).
        public var password = ""
        /// A file that holds the PostgreSQL password (its first line).
        public var passwordFile = ""
        /// The database when `backend` is `postgres`, with the password from whichever source gave it.
        public var postgres: PostgresLocation?

        /// Where the store is, for ``withStore(_:instanceId:logger:_:)``.
        public var location: StoreLocation {
            if backend == .postgres, let postgres { return .postgres(postgres) }
            return .sqlite(path: path)
        }
    }

    public struct Push: Sendable, Equatable {
        public var enabled = true
        public var maxAge = 900
        /// Seconds a claimed push belongs to the instance that claimed it; past them, with no outcome
        /// recorded (that instance died), any instance sends it again.
        public var claimLease = 300
        /// Seconds delivered and failed pushes are kept in the outbox (for `zmes push list` and
        /// replay) after they finished; older ones are deleted.
        public var retention = 604_800
        public var title = "{name} Alarm ({eid})"
        public var body = "{cause} at {time}"
        /// `strftime` format of `{time}`.
        public var dateFormat = "%I:%M %p, %d-%b"
        /// Appends ` ({eid})` to the title unless it shows `{eid}` already.
        public var tagEventId = false
        /// One notification per monitor, replaced by the next.
        public var replacePrevious = false
    }

    /// The event's picture in pushes and websocket alarms, served by zmes (docs/PICTURES.md).
    public struct Pictures: Sendable, Equatable {
        public var enabled = false
        /// How phones reach zmes's websocket port, e.g. `https://zm.example.com:9000`.
        public var publicURL = ""
        /// Seconds a picture link is valid, and its picture cached.
        public var ttl = 86_400
        /// `snapshot`, `alarm`, `objdetect` or a frame number: the frame when no hook chose one.
        public var frame = "snapshot"
        /// Width ZoneMinder scales the picture to.
        public var width = 600
        /// Bound on the pictures cached on disk, in megabytes.
        public var cacheMB = 200

        static func isFrame(_ frame: String) -> Bool {
            ["snapshot", "alarm", "objdetect"].contains(frame) || (Int(frame).map { $0 > 0 && $0 < 10_000_000 } ?? false)
        }
    }

    public struct Monitor: Sendable, Equatable {
        public var id: Int
        public var name: String
    }

    public struct ZoneMinder: Sendable, Equatable {
        /// Read alarms from ZoneMinder's shared memory and monitor names from its API.
        public var enabled = false
        public var url = "http://127.0.0.1/zm"
        public var user = ""
        public var password = ""
        public var monitors: [Monitor] = []
        /// The names `monitors` gives, by id (the first, if an id is listed twice).
        public var monitorNames: [Int: String] {
            Dictionary(monitors.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
        public var shmDir = "/dev/shm"
        public var pollInterval = 0.25
        public var sendEventEnd = false
        /// Seconds a successful ZoneMinder login is remembered (as a salted hash) by the zoneminder auth backend.
        public var loginCache: Double = 300
    }

    public struct Log: Sendable, Equatable {
        /// trace, debug, info, notice, warning, error or critical; `--log-level` overrides it.
        public var level = "info"
    }

    public var log = Log()
    public var server = Server()
    public var admin = Admin()
    public var auth = Auth()
    public var store = Store()
    public var push = Push()
    public var pictures = Pictures()
    public var zoneminder = ZoneMinder()
    /// Mute or make critical by monitor, time of day, day and cause (docs/OPERATIONS.md, "Mutes and rules").
    public var rules: [MonitorRule] = []
    /// Detection hooks (docs/HOOKS.md).
    public var hooks = Hooks()
    /// The MQTT brokers alarms are published to (docs/MQTT.md).
    public var mqtt: [MQTTBroker] = []

    public init() {}

    /// The directory that holds the store, and the generated certificate beside it.
    public var dataDirectory: String {
        URL(fileURLWithPath: store.path).deletingLastPathComponent().path
    }
}
