import CMosquitto

/// libmosquitto's process-wide setup, done once before the first connection (it is not thread-safe).
enum MosquittoLibrary {
    static let initialized: Bool = {
        mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue
    }()

    /// libmosquitto's text for one of its return codes.
    static func describe(_ code: Int32) -> String {
        String(cString: mosquitto_strerror(code))
    }

    /// The broker's refusal of a CONNECT, in words (`not authorised`, `bad user name or password`...).
    static func describeConnack(_ code: Int32, version: MQTTVersion) -> String {
        switch version {
        case .v5: return String(cString: mosquitto_reason_string(code))
        case .v311: return String(cString: mosquitto_connack_string(code))
        }
    }
}
