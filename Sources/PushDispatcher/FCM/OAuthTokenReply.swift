/// Google's reply to a token exchange (RFC 6749 §5.1 and §5.2): the token and its lifetime,
/// or an `error` code such as `invalid_grant`, which is only reported.
struct OAuthTokenReply: Decodable {
    var accessToken: String?
    /// Seconds.
    var expiresIn: Double?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case error
    }
}
