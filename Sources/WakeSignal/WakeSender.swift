import Glibc

/// Sends a one-byte datagram to every worker socket in the wake folder, so an idle worker
/// claims a new job within milliseconds instead of at its next poll. Best effort: a full
/// buffer means the worker is already awake, a refused socket is a dead worker's leftover
/// (removed), and workers poll anyway. The folder is listed again only when its modification
/// time changes (a worker came or went), so a wake-up costs one `stat` plus the datagrams.
public final class WakeSender {
    private let directory: String
    private let fd: Int32
    private var listed: (modified: timespec, settled: Bool, sockets: [String])?

    public init(directory: String) {
        self.directory = directory
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Nudges every listening worker; returns how many datagrams were delivered.
    @discardableResult
    public func wakeAll() -> Int {
        guard fd >= 0 else { return 0 }
        var delivered = 0
        var byte: UInt8 = 1
        for path in sockets() {
            let sent = withUnixAddress(path) { addr, len in sendto(fd, &byte, 1, 0, addr, len) } ?? -1
            if sent == 1 {
                delivered += 1
            } else if errno == ECONNREFUSED {
                unlink(path)  // changes the folder's mtime: the next call lists it again
            }
        }
        return delivered
    }

    /// The `.sock` paths in the folder, from the last listing while the folder is unchanged.
    private func sockets() -> [String] {
        var info = stat()
        guard stat(directory, &info) == 0 else { listed = nil; return [] }
        if let listed, listed.settled, listed.modified.tv_sec == info.st_mtim.tv_sec,
           listed.modified.tv_nsec == info.st_mtim.tv_nsec {
            return listed.sockets
        }
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var sockets: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".sock") { sockets.append(directory + "/" + name) }
        }
        // mtime has the kernel's coarse clock granularity: a change within the same tick as
        // this listing could keep the same mtime, so trust it only once it is a second old.
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        listed = (info.st_mtim, now.tv_sec - info.st_mtim.tv_sec >= 2, sockets)
        return sockets
    }
}

@available(*, unavailable) extension WakeSender: Sendable {}
