#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FastCGIServer

@Suite("FCGX_Init leaves signal handling alone")
struct FastCGILibraryTests {
    /// libfcgi's own SIGTERM/SIGUSR1 handler would make this process survive SIGTERM (and it
    /// has the accept spin): after initialisation, no handler may point into libfcgi's code.
    @Test(arguments: [SIGTERM, SIGUSR1])
    func libfcgiHandlersAreNeverInstalled(_ signo: Int32) throws {
        try FastCGILibrary.initialize()
        var action = sigaction()
        try #require(sigaction(signo, nil, &action) == 0)
        guard let handler = action.__sigaction_handler.sa_handler else { return }  // SIG_DFL
        let address = UInt(bitPattern: unsafeBitCast(handler, to: UnsafeRawPointer.self))
        let libfcgiRanges = try procSelfMaps().filter { $0.contains("libfcgi") }.compactMap { line -> ClosedRange<UInt>? in
            let bounds = line.split(separator: " ")[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            return bounds.count == 2 ? bounds[0]...bounds[1] : nil
        }
        #expect(!libfcgiRanges.isEmpty, "libfcgi is not mapped?")
        #expect(!libfcgiRanges.contains { $0.contains(address) })
    }

    /// /proc files report size 0, so read them line by line rather than with a sized read.
    private func procSelfMaps() throws -> [String] {
        let file = try #require(fopen("/proc/self/maps", "r"))
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            lines.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines
    }
}
