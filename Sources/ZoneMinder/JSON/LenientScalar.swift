/// A JSON scalar read as text whatever its JSON type: ZoneMinder's API and zmeventnotification's token
/// file write ids and counts sometimes as numbers, sometimes as strings (`"Id": "3"`, `"badge": 0`); null reads as "".
struct LenientScalar: Decodable, Sendable, Equatable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            text = ""
        } else if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int.self) {
            text = String(integer)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            text = String(flag)
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a string, number or boolean"))
        }
    }

    var integer: Int? { Int(text) }
}
