import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run off the event loops: one check costs tens of milliseconds of CPU.
public enum PasswordHasher {
    /// 2^10 rounds: about 50 ms here, the usual floor for interactive logins.
    public static let cost: UInt8 = 10

    /// - Parameter cost: log2 of the rounds; lower only in tests, where speed matters more than strength.
    public static func hash(_ password: String, cost: UInt8 = cost) async -> String {
        await runOffLoop { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await runOffLoop { Bcrypt.verify(password, hash: hash) }
    }

    private static func runOffLoop<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch {
            return work()  // the shared pool is never shut down; this is only a fallback
        }
    }
}
