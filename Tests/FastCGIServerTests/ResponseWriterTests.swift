import FastCGITestClient
import Testing
@testable import FastCGIServer

@Suite("Response encoding, body length, log safety, child exit decoding")
struct ResponseWriterTests {
    @Test func encodesStatusTypeLengthExtraHeadersAndBody() throws {
        let bytes = ResponseWriter.encode(FastCGIResponse(
            status: 403, contentType: "application/json", body: Array("{}".utf8),
            headers: [("Cache-Control", "no-store"), ("X-Request-Id", "r1")]))
        #expect(String(decoding: bytes, as: UTF8.self) ==
            "Status: 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            + "Cache-Control: no-store\r\nX-Request-Id: r1\r\n\r\n{}")
        let parsed = try FastCGITestClient.parseCGI(bytes)
        #expect(parsed.status == 403 && parsed.body == Array("{}".utf8))
    }

    @Test func headerInjectionIsNeutralised() {
        let text = String(decoding: ResponseWriter.encode(FastCGIResponse(
            status: 200, contentType: "text/plain\r\nSet-Cookie: a=b",
            headers: [("X-Ok", "v\r\nSet-Cookie: evil=1"), ("Bad Name", "x"), ("Bad:Name", "x"), ("", "x"),
                      ("Content-Length", "999"), ("status", "500")])), as: UTF8.self)
        #expect(!text.contains("\r\nSet-Cookie"))
        #expect(text.contains("X-Ok: v  Set-Cookie: evil=1\r\n"))
        #expect(!text.contains("Bad"))
        #expect(!text.contains("999") && !text.contains("status: 500"))
        #expect(text.hasSuffix("Content-Length: 0\r\nX-Ok: v  Set-Cookie: evil=1\r\n\r\n"))
    }

    @Test(arguments: [(200, "OK"), (413, "Content Too Large"), (418, "Client Error"), (599, "Server Error")])
    func reasonPhrases(_ status: Int, _ phrase: String) {
        #expect(ResponseWriter.reasonPhrase(status) == phrase)
    }

    @Test(arguments: [
        (nil, 10, BodyLength.length(0)), ("", 10, .length(0)), ("0", 10, .length(0)), ("10", 10, .length(10)),
        ("11", 10, .tooLarge("11")), ("abc", 10, .invalid), (" 5", 10, .invalid), ("+5", 10, .invalid),
        ("123456789012345678901234567890", 10, .tooLarge("12345678901234567890…")),
    ] as [(String?, Int, BodyLength)])
    func contentLengthParsing(_ text: String?, _ limit: Int, _ expected: BodyLength) {
        #expect(BodyLength(text, limit: limit) == expected)
    }

    @Test func logPathPrefersScriptNameAndPathInfoAndDropsTheQuery() {
        #expect(RequestLogLine.path(scriptName: "/wecom/callback", pathInfo: "/bot", requestURI: "/x?sig=1") == "/wecom/callback/bot")
        #expect(RequestLogLine.path(scriptName: "", pathInfo: "", requestURI: "/a/b?msg_signature=1") == "/a/b")
    }

    @Test func logSafeTextStaysOnOneLine() {
        #expect(RequestLogLine.safe("a\r\nb\u{7F}c\u{85}d\u{2028}e") == "a??b?c?d?e")
        #expect(RequestLogLine.safe(String(repeating: "x", count: 300)).count == 257)
    }

    @Test func microseconds() {
        #expect(RequestLogLine.microseconds(.milliseconds(1500)) == 1_500_000)
        #expect(RequestLogLine.microseconds(.nanoseconds(2_999)) == 2)
    }

    @Test func childExitDecoding() {
        #expect(ChildExit(waitStatus: 0) == .exited(0))
        #expect(ChildExit(waitStatus: 3 << 8) == .exited(3))
        #expect(ChildExit(waitStatus: 9) == .signaled(9))
        #expect(ChildExit(waitStatus: 11 | 0x80) == .signaled(11))  // core dumped
        #expect(ChildExit(waitStatus: 9).description.contains("Killed"))
    }

    @Test func errorsAreOneLineWithCodeAndMessage() {
        let system = FastCGIError.system(function: "bind", target: "unix:/run/x.sock", errno: 98)
        #expect(system.description == "bind(unix:/run/x.sock) failed: Address already in use (errno 98)")
        #expect(FastCGIError.library(function: "FCGX_Accept_r", code: -9998).description
            == "FCGX_Accept_r returned -9998: FCGX_Init was not called in this process")
        #expect(FastCGIError.library(function: "FCGX_Accept_r", code: -24).description.contains("Too many open files"))
    }
}
