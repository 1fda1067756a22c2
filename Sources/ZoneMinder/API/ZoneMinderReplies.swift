/// The parts of ZoneMinder's API replies zmes reads (ZoneMinder 1.34–1.36).
enum ZoneMinderReplies {
    /// `POST /api/host/login.json`.
    struct Login: Decodable {
        var accessToken: String?
        var accessTokenExpires: Double?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case accessTokenExpires = "access_token_expires"
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
