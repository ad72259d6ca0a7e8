/// Why metrics could not be set up or served: a catalogue that breaks the exposition format's
/// rules, or a system call that failed (with its errno).
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    case invalidCatalogue(String)
    case invalidAddress(String)
    case system(function: String, target: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidCatalogue(reason): return "metrics catalogue: \(reason)"
        case let .invalidAddress(address): return "metrics address \(address): expected HOST:PORT with an IPv4 host, e.g. 127.0.0.1:9464"
        case let .system(function, target, code):
            return "\(function)(\(target)) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
