#if canImport(Glibc)
import Glibc
#endif

/// A thread that could not be created: `pthread_create`'s error code and its message.
public struct ThreadStartError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What the thread was for, as its creator named it (`serving thread 2`).
    public let target: String
    /// The error number `pthread_create` returned (it does not set `errno`).
    public let code: Int32

    public var description: String {
        let message = strerror(code).map { String(cString: $0) } ?? "unknown error"
        return "pthread_create(\(target)) failed: \(message) (errno \(code))"
    }
}
