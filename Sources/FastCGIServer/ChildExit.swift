#if canImport(Glibc)
import Glibc
#endif

/// A `waitpid` status, decoded (the WIFEXITED/WTERMSIG macros are not imported into Swift).
enum ChildExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case other(Int32)

    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        if signal == 0 {
            self = .exited((status >> 8) & 0xFF)
        } else if signal != 0x7F {
            self = .signaled(signal)
        } else {
            self = .other(status)
        }
    }

    var description: String {
        switch self {
        case let .exited(code): return "exited with status \(code)"
        case let .signaled(signal): return "was killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        case let .other(status): return "ended with wait status \(status)"
        }
    }
}
