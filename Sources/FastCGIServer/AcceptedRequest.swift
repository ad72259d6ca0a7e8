import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Calls `FCGX_Init` once per process (after fork in a pre-fork child; never in the master).
///
/// `FCGX_Init` installs libfcgi's own SIGTERM/SIGUSR1/SIGPIPE handlers wherever the disposition
/// is still SIG_DFL, and a process with libfcgi's SIGTERM handler no longer exits on SIGTERM
/// (docs/systems.md §1.2; its handler also has the accept spin described in `SignalHandling`).
/// So any SIG_DFL among them is set to SIG_IGN for the duration of the call and restored
/// afterwards: libfcgi's handlers are never installed, whoever calls `serve`.
enum FastCGILibrary {
    private static let initResult: Int32 = {
        let guarded = [SIGTERM, SIGUSR1, SIGPIPE]
        var saved: [(Int32, sigaction)] = []
        for signo in guarded {
            var current = sigaction()
            guard sigaction(signo, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil else { continue }
            saved.append((signo, current))
            _ = signal(signo, SIG_IGN)
        }
        let rc = FCGX_Init()
        for (signo, var previous) in saved { sigaction(signo, &previous, nil) }
        return rc
    }()

    static func initialize() throws {
        if initResult != 0 { throw FastCGIError.library(function: "FCGX_Init", code: initResult) }
    }
}

/// The one `FCGX_Request` of a serving thread, at a stable address for its whole life:
/// libfcgi keeps a back-pointer to the request inside each stream (`reqDataPtr`), so the
/// struct must never be copied or moved (so never a stored struct property, never `&value`).
final class RequestStorage {
    let raw: UnsafeMutablePointer<FCGX_Request>

    init(listenFD: Int32) throws {
        raw = .allocate(capacity: 1)
        raw.initialize(to: FCGX_Request())
        let rc = FCGX_InitRequest(raw, listenFD, 0)
        if rc != 0 {
            raw.deinitialize(count: 1)
            raw.deallocate()
            throw FastCGIError.library(function: "FCGX_InitRequest", code: rc)
        }
    }

    deinit {
        FCGX_Free(raw, 1)
        raw.deinitialize(count: 1)
        raw.deallocate()
    }
}

@available(*, unavailable)
extension RequestStorage: Sendable {}

/// A request returned by `FCGX_Accept_r`, finished exactly once (`finish()` or, if forgotten,
/// `deinit`). Parameter strings are copied at once: libfcgi frees them at Finish/Accept.
struct AcceptedRequest: ~Copyable {
    private let raw: UnsafeMutablePointer<FCGX_Request>

    init(_ raw: UnsafeMutablePointer<FCGX_Request>) { self.raw = raw }

    /// The values of the named parameters (nil when absent), in the order of `names` (each a
    /// name's ASCII bytes), from one pass over the parameter list (`FCGX_GetParam` scans the
    /// whole list once per name). Of duplicates (nginx may send them) the first wins.
    func params(_ names: [[UInt8]]) -> [String?] {
        var values = [String?](repeating: nil, count: names.count)
        guard var entry = raw.pointee.envp else { return values }
        while let pair = entry.pointee {
            let length = strlen(pair)
            for (index, name) in names.enumerated() where values[index] == nil && length > name.count {
                let matched = pair[name.count] == CChar(UInt8(ascii: "="))
                    && name.withUnsafeBufferPointer { memcmp(pair, $0.baseAddress!, name.count) == 0 }
                if matched {
                    values[index] = String(cString: pair + name.count + 1)
                    break
                }
            }
            entry += 1
        }
        return values
    }

    /// Reads up to `length` bytes of FCGI_STDIN with `FCGX_GetStr`, stopping early at EOF. When
    /// all `length` bytes came, it reads on to the stream's end record, which nginx sends right
    /// after the body, so that `finish` can tell whether anything was left unread.
    func readBody(length: Int) -> [UInt8] {
        guard let input = raw.pointee.in else { return [] }
        var received = 0
        let body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            guard let start = buffer.baseAddress else { return }
            let base = UnsafeMutableRawPointer(start).assumingMemoryBound(to: CChar.self)
            while received < length {
                let chunk = Int32(min(length - received, 1 << 16))
                let n = FCGX_GetStr(base + received, chunk, input)
                if n <= 0 { break }
                received += Int(n)
            }
            count = received
        }
        if received == length { _ = FCGX_GetChar(input) }
        return body
    }

    /// True once FCGI_STDIN has been read up to its end record: nothing the peer sent is left unread.
    var inputFullyRead: Bool {
        guard let input = raw.pointee.in else { return false }
        return FCGX_HasSeenEOF(input) == EOF
    }

    /// Writes `bytes` to FCGI_STDOUT with `FCGX_PutStr`; false if the connection failed.
    func write(_ bytes: [UInt8]) -> Bool {
        guard let output = raw.pointee.out else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            let n = FCGX_PutStr(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count), output)
            return n == Int32(buffer.count)
        }
    }

    /// `FCGX_Finish_r`: flushes the streams and closes the connection.
    ///
    /// libfcgi closes "lingering": `shutdown(SHUT_WR)`, then it waits in `poll` (up to 2 s) and
    /// reads until the peer has closed too, so that input left unread cannot make the kernel
    /// reset the connection under a response the peer has not read yet. When the whole input
    /// was read there is nothing to protect, and that wait is a sleep and a wake-up per request
    /// in which the thread serves nobody. So the connection is then closed at once: libfcgi
    /// 2.4.2's `FCGX_Free` passes `!detached` as the shutdown flag of `OS_IpcClose`. Refused
    /// bodies (413) still get the lingering close.
    consuming func finish() {
        if inputFullyRead { raw.pointee.detached = 1 }
        FCGX_Finish_r(raw)
        discard self
    }

    deinit { FCGX_Finish_r(raw) }
}
