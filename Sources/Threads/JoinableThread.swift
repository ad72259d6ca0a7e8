#if canImport(Glibc)
import Glibc
#endif

/// Starts a joinable pthread running a closure; the creator keeps the `pthread_t` to signal and
/// join it. (Foundation's `Thread` is detached and has no id to `pthread_kill`.)
public enum JoinableThread {
    private final class Body: @unchecked Sendable {
        // @unchecked: made by the creating thread, then run by the new thread alone.
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// - Parameter target: names the thread in the error if it cannot be created.
    public static func start(_ target: String, _ body: @escaping () -> Void) throws -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw ThreadStartError(target: target, code: rc)
        }
        return thread
    }
}
