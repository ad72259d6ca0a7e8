import Glibc

/// Sends a one-byte datagram to every worker socket in the wake folder, so an idle worker
/// claims a new job within milliseconds instead of at its next poll. Best effort: a full
/// buffer means the worker is already awake, a refused socket is a dead worker's leftover
/// (removed), and workers poll anyway.
public final class WakeSender {
    private let directory: String
    private let fd: Int32

    public init(directory: String) {
        self.directory = directory
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Nudges every listening worker; returns how many datagrams were delivered.
    @discardableResult
    public func wakeAll() -> Int {
        guard fd >= 0, let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var delivered = 0
        var byte: UInt8 = 1
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasSuffix(".sock") else { continue }
            let path = directory + "/" + name
            let sent = withUnixAddress(path) { addr, len in sendto(fd, &byte, 1, 0, addr, len) } ?? -1
            if sent == 1 {
                delivered += 1
            } else if errno == ECONNREFUSED {
                unlink(path)
            }
        }
        return delivered
    }
}

@available(*, unavailable) extension WakeSender: Sendable {}
