import Foundation

/// The parts of ZoneMinder's API replies zmes reads (ZoneMinder 1.34–1.36).
enum ZoneMinderReplies {
    /// `POST /api/host/login.json` (`access_token`, `access_token_expires`: read with snake-case keys).
    struct Login: Decodable {
        var accessToken: String?
        var accessTokenExpires: Double?

        static func decode(_ body: [UInt8]) -> Login? {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try? decoder.decode(Login.self, from: Data(body))
        }
    }

    /// `GET /api/monitors.json`: `{"monitors": [{"Monitor": {"Id": "1", "Name": "Garage", ...}}]}`.
    struct Monitors: Decodable {
        struct Entry: Decodable {
            var monitor: Fields?

            enum CodingKeys: String, CodingKey {
                case monitor = "Monitor"
            }
        }

        struct Fields: Decodable {
            var id: LenientScalar?
            var name: String?

            enum CodingKeys: String, CodingKey {
                case id = "Id"
                case name = "Name"
            }
        }

        var monitors: [Entry]
    }
}
