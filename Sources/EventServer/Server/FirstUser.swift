import Model
import Storage

/// On the first start with local users and none in the store, an `admin` with a random password, shown once.
struct FirstUser {
    let store: any Store
    let announce: @Sendable (String) -> Void

    func createIfNeeded() async throws {
        guard try await store.userCount() == 0 else { return }
        let password = Self.randomPassword()
        try await store.saveUser(User(name: "admin", passwordHash: await PasswordHasher.hash(password), monitors: .all))
        announce("Created user 'admin' with password \(password)\nIt is shown only this once; change it with: zmes user add admin --password-stdin")
    }

    /// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
