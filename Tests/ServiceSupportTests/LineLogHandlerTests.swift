import Foundation
import Logging
import Testing
@testable import ServiceSupport

struct LineLogTestFailure: Error, CustomStringConvertible { var description: String { "boom" } }

/// The line format operators grep (swift-log's StreamLogHandler format), one write per line.
@Suite struct LineLogHandlerTests {
    /// Everything `body` logs through a handler writing to a pipe.
    func captured(_ body: (Logger) -> Void) throws -> String {
        let pipe = Pipe()
        var handler = LineLogHandler(label: "wecom-test", output: LogLineBuffer(fd: pipe.fileHandleForWriting.fileDescriptor))
        handler.metadata = ["base": "1"]
        body(Logger(label: "wecom-test", factory: { _ in handler }))
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func formatMatchesStreamLogHandler() throws {
        let text = try captured { logger in
            logger.warning("POST /wecom/callback/x 403", metadata: ["z.reason": "bad signature", "botid": "x"], source: "FastCGIServer")
            logger.info("second", source: "S")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty, "two lines, each ending in a newline")
        let first = try #require(lines.first)
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} warning wecom-test: base=1 botid=x z.reason=bad signature \[FastCGIServer\] POST /wecom/callback/x 403$/#
        #expect(first.wholeMatch(of: pattern) != nil, "\(first)")
        #expect(lines[1].hasSuffix(" info wecom-test: base=1 [S] second"))
    }

    @Test func timestampIsLocalTimeOfThisSecond() throws {
        let before = Date()
        let text = try captured { $0.info("x") }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        let stamp = try #require(formatter.date(from: String(text.prefix(24))))
        #expect(abs(stamp.timeIntervalSince(before)) < 2)
    }

    /// Each key once: the event's value wins over the handler's, as in StreamLogHandler; keys
    /// sorted; values that are not strings printed as swift-log prints them.
    @Test func eventMetadataWinsAndEveryKeyAppearsOnce() throws {
        let text = try captured { logger in
            logger.info("m", metadata: ["base": "event", "a.list": ["x", "y"], "n": .stringConvertible(42)], source: "S")
        }
        #expect(text.hasSuffix(" info wecom-test: a.list=[\"x\", \"y\"] base=event n=42 [S] m\n"), "\(text)")
        #expect(text.components(separatedBy: "base=").count == 2)
    }

    /// All four sources at once: handler < provider < event < error, as in swift-log's merge.
    @Test func laterSourcesWinOverEarlierOnes() throws {
        let pipe = Pipe()
        var handler = LineLogHandler(label: "wecom-test", output: LogLineBuffer(fd: pipe.fileHandleForWriting.fileDescriptor))
        handler.metadata = ["k": "handler", "h": "1", "error.message": "handler"]
        handler.metadataProvider = Logger.MetadataProvider { ["k": "provider", "p": "1", "error.message": "provider"] }
        handler.log(event: LogEvent(level: .error, message: "m", error: LineLogTestFailure(),
                                    metadata: ["k": "event", "e": "1", "error.message": "event"],
                                    source: "S", file: #file, function: #function, line: #line))
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.hasSuffix(" error wecom-test: e=1 error.message=boom error.type=ServiceSupportTests.LineLogTestFailure h=1 k=event p=1 [S] m\n"),
                "\(text)")
    }
}
