import Testing
@testable import DifyClient

/// Parses `text` fed as one chunk, then finishes.
private func parseAll(_ bytes: [UInt8], maxEventBytes: Int = 8 << 20) throws -> [SSEEvent] {
    var parser = SSEParser(maxEventBytes: maxEventBytes)
    return try parser.feed(bytes) + parser.finish()
}

private func parseAll(_ text: String) throws -> [SSEEvent] { try parseAll(Array(text.utf8)) }

/// Feeds `bytes` cut at `cuts` (sorted offsets), then finishes.
private func parseSplit(_ bytes: [UInt8], at cuts: [Int]) throws -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    var start = 0
    for cut in cuts + [bytes.count] {
        events += try parser.feed(Array(bytes[start..<cut]))
        start = cut
    }
    return events + parser.finish()
}

/// A Dify-like stream: pings, an `id:` line, a comment, multi-byte text, multi-line data, a retry.
private let difyLikeStream = """
    event: ping

    id: 1700000000000-0
    data: {"event":"message","answer":"你好，","conversation_id":"c1"}

    : keep-alive comment
    data: {"event":"message","answer":"世界 🌏"}

    event: ping

    retry: 3000
    data: first line
    data: second line

    data: {"event":"message_end","conversation_id":"c1"}


    """

private let difyLikeEvents = [
    SSEEvent(event: "ping", data: ""),
    SSEEvent(data: #"{"event":"message","answer":"你好，","conversation_id":"c1"}"#, id: "1700000000000-0"),
    SSEEvent(data: #"{"event":"message","answer":"世界 🌏"}"#),
    SSEEvent(event: "ping", data: ""),
    SSEEvent(data: "first line\nsecond line"),
    SSEEvent(data: #"{"event":"message_end","conversation_id":"c1"}"#),
]

/// `difyLikeStream` with its line breaks replaced.
private func stream(lineEnding: String) -> [UInt8] {
    Array(difyLikeStream.replacingOccurrences(of: "\n", with: lineEnding).utf8)
}

@Suite struct SSEParserTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func aDifyStreamParsesWithEveryLineEnding(lineEnding: String) throws {
        #expect(try parseAll(stream(lineEnding: lineEnding)) == difyLikeEvents)
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everySplitPointGivesTheSameEvents(lineEnding: String) throws {
        let bytes = stream(lineEnding: lineEnding)
        for cut in 0...bytes.count {
            #expect(try parseSplit(bytes, at: [cut]) == difyLikeEvents, "split at \(cut)")
        }
    }

    @Test func everyPairOfSplitPointsGivesTheSameEvents() throws {
        // CRLF, so CR and LF can land in different chunks, and multi-byte characters, so they split.
        let bytes = Array("data: 你好\r\n\r\nevent: ping\r\n\r\ndata: a\r\ndata: 🌏\r\n\r\n".utf8)
        let expected = [SSEEvent(data: "你好"), SSEEvent(event: "ping", data: ""), SSEEvent(data: "a\n🌏")]
        for first in 0...bytes.count {
            for second in first...bytes.count {
                #expect(try parseSplit(bytes, at: [first, second]) == expected, "splits at \(first), \(second)")
            }
        }
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func byteByByteFeedingGivesTheSameEvents(lineEnding: String) throws {
        let bytes = stream(lineEnding: lineEnding)
        #expect(try parseSplit(bytes, at: Array(1..<bytes.count)) == difyLikeEvents)
    }

    @Test func eventsArriveAsSoonAsTheirBlankLineDoes() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: a\n".utf8)) == [])
        #expect(try parser.feed(Array("\ndata: b".utf8)) == [SSEEvent(data: "a")])
        #expect(try parser.feed(Array("\n\n".utf8)) == [SSEEvent(data: "b")])
        #expect(parser.finish() == [])
    }

    @Test func aCRAtTheEndOfAChunkDispatchesWithoutWaitingForLF() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: a\r\r".utf8)) == [SSEEvent(data: "a")])
        // The LF that follows belongs to the CR before it, not an extra blank line.
        #expect(try parser.feed(Array("\ndata: b\r\n\r\n".utf8)) == [SSEEvent(data: "b")])
    }

    @Test(arguments: [
        ("data:x\n\n", "x"),
        ("data: x\n\n", "x"),
        ("data:  x\n\n", " x"),
        ("data: x \n\n", "x "),
        ("data:\n\n", ""),
        ("data\n\n", ""),
        ("data\ndata\n\n", "\n"),
        ("data: a\ndata:\ndata: b\n\n", "a\n\nb"),
        ("data: a:b: c\n\n", "a:b: c"),
        ("data: {\"k\": \"v\"}\n\n", "{\"k\": \"v\"}"),
    ])
    func dataValues(text: String, data: String) throws {
        #expect(try parseAll(text) == [SSEEvent(data: data)])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() throws {
        let text = ": comment\n:\nfoo: bar\nDATA: not data\ndata: kept\n: another\n\n: only a comment\n\n"
        #expect(try parseAll(text) == [SSEEvent(data: "kept")])
    }

    @Test func blankLinesAloneDispatchNothing() throws {
        #expect(try parseAll("\n\n\r\n\r\r\n") == [])
    }

    @Test func eventNamesApplyToOneEventOnly() throws {
        let text = "event: ping\n\nevent: custom\ndata: 1\n\ndata: 2\n\n"
        #expect(try parseAll(text) == [
            SSEEvent(event: "ping", data: ""), SSEEvent(event: "custom", data: "1"), SSEEvent(data: "2"),
        ])
    }

    @Test func idAndRetryFields() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("id: 7\nretry: 2500\ndata: a\n\ndata: b\n\nretry: soon\nid: 8\u{0}x\ndata: c\n\n".utf8))
        #expect(events == [SSEEvent(data: "a", id: "7"), SSEEvent(data: "b"), SSEEvent(data: "c")])
        #expect(parser.lastEventID == "7")  // an id containing NUL is ignored
        #expect(parser.retryMilliseconds == 2500)  // a non-numeric retry is ignored
    }

    @Test func anIDAloneDoesNotDispatch() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("id: 9\n\n".utf8)) == [])
        #expect(parser.lastEventID == "9")
    }

    @Test func aLeadingByteOrderMarkIsSkippedOnlyAtTheStart() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try parseAll(bom + Array("data: a\n\n".utf8)) == [SSEEvent(data: "a")])
        #expect(try parseSplit(bom + Array("data: a\n\n".utf8), at: [1, 2]) == [SSEEvent(data: "a")])
        // Later, a BOM is part of the field name, which then is unknown.
        #expect(try parseAll(Array("data: a\n\n".utf8) + bom + Array("data: b\n\n".utf8)) == [SSEEvent(data: "a")])
    }

    @Test func multiByteCharactersSurviveOneByteChunks() throws {
        let text = "data: 你好，世界 🌏 é\n\n"
        #expect(try parseSplit(Array(text.utf8), at: Array(1..<text.utf8.count)) == [SSEEvent(data: "你好，世界 🌏 é")])
    }

    @Test func invalidUTF8IsReplacedNotFatal() throws {
        let bytes = Array("data: a".utf8) + [0xFF, 0xC3] + Array("b\n\n".utf8)
        #expect(try parseAll(bytes) == [SSEEvent(data: "a\u{FFFD}\u{FFFD}b")])
    }

    @Test func finishDispatchesAnUnterminatedEvent() throws {
        #expect(try parseAll("data: a\n") == [SSEEvent(data: "a")])
        #expect(try parseAll("data: a") == [SSEEvent(data: "a")])
        #expect(try parseAll("event: ping") == [SSEEvent(event: "ping", data: "")])
        #expect(try parseAll("data: a\r") == [SSEEvent(data: "a")])
        #expect(try parseAll(": just a comment") == [])
    }

    @Test func theParserCanBeReusedAfterFinish() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: a".utf8)) == [])
        #expect(parser.finish() == [SSEEvent(data: "a")])
        #expect(try parser.feed(Array("data: b\n\n".utf8)) == [SSEEvent(data: "b")])
    }

    @Test func aLineLongerThanTheCapIsRejected() throws {
        var parser = SSEParser(maxEventBytes: 64)
        #expect(try parser.feed(Array("data: ".utf8)) == [])
        #expect(throws: SSEParser.Failure.eventTooLarge(limit: 64)) {
            for _ in 0..<10 { _ = try parser.feed([UInt8](repeating: 0x61, count: 10)) }
        }
    }

    @Test func anEventWhoseDataLinesAddUpPastTheCapIsRejected() {
        let line = "data: " + String(repeating: "x", count: 20) + "\n"
        #expect(throws: SSEParser.Failure.eventTooLarge(limit: 64)) {
            try parseAll(Array(String(repeating: line, count: 4).utf8), maxEventBytes: 64)
        }
    }

    @Test func eventsBelowTheCapPassRepeatedly() throws {
        let line = "data: " + String(repeating: "x", count: 40) + "\n\n"
        let events = try parseAll(Array(String(repeating: line, count: 100).utf8), maxEventBytes: 64)
        #expect(events.count == 100)
    }

    @Test func aLargeEventIsKeptWhole() throws {
        let big = String(repeating: "数据", count: 50_000)
        #expect(try parseSplit(Array("data: \(big)\n\n".utf8), at: [1000, 7777, 150_001]) == [SSEEvent(data: big)])
    }

    @Test func theDefaultCapIsEightMiB() {
        #expect(SSEParser().maxEventBytes == 8 * 1024 * 1024)
    }
}
