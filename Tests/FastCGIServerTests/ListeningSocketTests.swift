#if canImport(Glibc)
import FastCGITestClient
import Glibc
#endif
import Logging
import Testing
@testable import FastCGIServer

@Suite("Own unix sockets: liveness check, stale files, mode, cleanup")
struct ListeningSocketTests {
    let logger = Logger(label: "fastcgi-test") { _ in SwiftLogNoOpLogHandler() }

    @Test func secondServerOnALivePathIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let first = try FastCGIServer(listener: .unix(path: path), logger: logger)
        #expect {
            _ = try FastCGIServer(listener: .unix(path: path), logger: logger)
        } throws: { error in
            (error as? FastCGIError) == .socketInUse(path: path)
                && "\(error)".contains("unix:\(path) is in use")
        }
        // The first server's socket is untouched and still accepts connections.
        #expect(throws: FastCGIError.socketInUse(path: path)) { try ListeningSocket.removeStaleSocket(at: path) }
        withExtendedLifetime(first) {}
    }

    @Test func staleSocketFileIsReplacedAndServes() throws {
        try withRunningServer(prepareSocketPath: { path in
            try makeStaleSocket(at: path)
            #expect(fileType(path) == S_IFSOCK)
        }) { server in
            let response = try server.send(FastCGITestClient.nginxParams(method: "GET", scriptName: "/s", pathInfo: "/x"))
            #expect(response.status == 200)
            #expect(server.recorder.all.count == 1)
        }
    }

    @Test func socketFileIsRemovedWhenTheServerGoesAway() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        var server: FastCGIServer? = try FastCGIServer(listener: .unix(path: path), logger: logger)
        #expect(server?.boundDescription == "unix:\(path)")
        #expect(fileType(path) == S_IFSOCK)
        server = nil
        #expect(fileType(path) == nil)
    }

    @Test func aPathThatIsNotASocketIsNeverReplaced() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        close(fd)
        #expect {
            _ = try FastCGIServer(listener: .unix(path: path), logger: logger)
        } throws: { "\($0)".contains("is not a socket") }
        #expect(fileType(path) == S_IFREG)
    }

    @Test func socketGetsTheConfiguredMode() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let defaultPath = directory + "/a.sock", customPath = directory + "/b.sock"
        let a = try FastCGIServer(listener: .unix(path: defaultPath), logger: logger)
        let b = try FastCGIServer(listener: .unix(path: customPath), options: FastCGIServerOptions(socketMode: 0o600), logger: logger)
        #expect(permissions(defaultPath) == 0o660)
        #expect(permissions(customPath) == 0o600)
        withExtendedLifetime((a, b)) {}
    }

    @Test func closingRemovesOnlyOurOwnSocketFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        var socket: ListeningSocket? = try ListeningSocket.open(.unix(path: path), options: FastCGIServerOptions())
        socket = nil
        #expect(fileType(path) == nil)

        // A successor replaced the path: closing the old socket must leave the new file alone.
        let old = try ListeningSocket.open(.unix(path: path), options: FastCGIServerOptions())
        unlink(path)
        try makeStaleSocket(at: path)
        old.close()
        #expect(fileType(path) == S_IFSOCK)
        _ = socket
    }

    @Test func missingDirectoryIsASystemErrorNamingThePath() throws {
        #expect {
            _ = try FastCGIServer(listener: .unix(path: "/nonexistent-dir-fcgi/s.sock"), logger: logger)
        } throws: { error in
            guard case let .system(function, target, code) = error as? FastCGIError else { return false }
            return function == "bind" && target == "unix:/nonexistent-dir-fcgi/s.sock" && code == ENOENT
                && "\(error)".contains("No such file or directory")
        }
    }

    @Test func tcpListenerOnLoopbackBinds() throws {
        let server = try FastCGIServer(listener: .tcp(host: "127.0.0.1", port: 0), logger: logger)
        #expect(server.boundDescription.hasPrefix("tcp:127.0.0.1:"))
        #expect(!server.boundDescription.hasSuffix(":0"))
    }

    @Test func inheritedListenerRefusesANonSocketFD0() throws {
        guard !isListeningSocket(0) else { return }
        #expect { _ = try FastCGIServer(listener: .inherited, logger: logger) } throws: { "\($0)".contains("fd 0") }
    }

    @Test func invalidOptionsAreRejected() {
        #expect(throws: FastCGIError.self) {
            _ = try FastCGIServer(listener: .unix(path: "/tmp/unused-fcgi.sock"),
                                  options: FastCGIServerOptions(processes: 0), logger: logger)
        }
    }

    // MARK: - Helpers

    /// A socket file with nobody listening: bind, then close without unlinking.
    private func makeStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let rc = try withUnixAddress(path) { bind(fd, $0, $1) }
        try #require(rc == 0)
    }

    private func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    private func permissions(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }
}
