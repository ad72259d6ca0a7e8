#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the FastCGI boundary: which call failed, with its raw code and a
/// one-line message. Never carries request data.
public enum FastCGIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed. `target` names what it was applied to (`unix:/run/x.sock`).
    case system(function: String, target: String, errno: Int32)
    /// A libfcgi call returned a failure code (a negative errno, or -9997…-9999).
    case library(function: String, code: Int32)
    /// A listener description, or an inherited socket, that cannot be used.
    case invalidListener(String)
    /// Another live server already accepts connections on this unix socket path.
    case socketInUse(path: String)
    /// Options that cannot work (for example `processes < 1`).
    case invalidOptions(String)

    public var description: String {
        switch self {
        case let .system(function, target, code):
            return "\(function)(\(target)) failed: \(Self.message(forErrno: code)) (errno \(code))"
        case let .library(function, code):
            return "\(function) returned \(code): \(Self.message(forLibraryCode: code))"
        case let .invalidListener(message):
            return message
        case let .socketInUse(path):
            return "unix:\(path) is in use: another server accepts connections on it (stop it first, or choose another path)"
        case let .invalidOptions(message):
            return "invalid FastCGI server options: \(message)"
        }
    }

    static func message(forErrno code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    /// libfcgi returns `-errno` for OS errors and its own codes below -9000.
    static func message(forLibraryCode code: Int32) -> String {
        switch code {
        case -9997: return "libfcgi could not initialise"
        case -9998: return "FCGX_Init was not called in this process"
        case -9999: return "unknown libfcgi error"
        case ..<0: return message(forErrno: -code)
        default: return "unexpected return code"
        }
    }

    /// Throws `.system` with the current errno when `rc` is negative; returns `rc` otherwise.
    @discardableResult
    static func check(_ rc: Int32, _ function: String, _ target: String) throws -> Int32 {
        if rc < 0 { throw FastCGIError.system(function: function, target: target, errno: errno) }
        return rc
    }
}
